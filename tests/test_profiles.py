"""Profiles are the regulations: they must load, and a broken one must say exactly what is wrong."""
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from jiceng.core import profiles

SHIPPED = sorted(profiles.PROFILE_DIR.glob("*.yaml"))


def test_the_three_systems_are_shipped_with_their_words():
    reg = profiles.registry()
    assert {"ccp", "mjin", "jiusan"} <= set(reg)
    assert (reg["ccp"].word("member"), reg["ccp"].word("leader")) == ("党员", "书记")
    assert (reg["mjin"].word("member"), reg["mjin"].word("leader")) == ("会员", "主委")
    assert reg["jiusan"].word("member") == "社员"
    assert reg["jiusan"].kind_label("branch") == "支社"


def test_ccp_categories_follow_the_admission_order():
    labels = [c.label for c in profiles.get("ccp").categories]
    assert labels == ["入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员"]


def test_term_lengths_come_from_the_profile():
    ccp = profiles.get("ccp")
    assert ccp.term_years("committee") == 5
    assert ccp.term_years("branch") == 3
    assert ccp.term_years("branch", "社区") == 5  # village and community organizations


def _write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def _step(data, key):
    return next(s for stage in data["admission"]["stages"] for s in stage["steps"] if s["key"] == key)


def _ccp_copy():
    return yaml.safe_load((profiles.PROFILE_DIR / "ccp.yaml").read_text(encoding="utf-8"))


def test_a_new_party_is_a_new_file_not_new_code(tmp_path):
    data = yaml.safe_load((profiles.PROFILE_DIR / "mjin.yaml").read_text(encoding="utf-8"))
    data.update(key="minmeng", name="中国民主同盟")
    data["words"]["member"] = "盟员"
    loaded = profiles.load_file(_write(tmp_path, "minmeng", data))
    assert loaded.word("member") == "盟员"


@pytest.mark.parametrize("mutate,expected_key", [
    (lambda d: d["kinds"][3].update(may_sit_under=["nowhere"]), "kinds.general_branch.may_sit_under"),
    (lambda d: d["categories"][0].update(min_age="eighteen"), "categories.0.min_age"),
    (lambda d: d.pop("terms"), "terms"),
    (lambda d: d["warnings"][0]["when"][0].update(categories=["ghost"]), "warnings.branch_too_large.when"),
    (lambda d: d.update(colour="red"), "colour"),
    (lambda d: d["words"].pop("leader"), "words"),
    # the admission procedure: steps may only refer to earlier steps, known categories and fields
    (lambda d: _step(d, "talk").update(after=["approval"]), "admission.steps.talk.after"),
    (lambda d: _step(d, "approval").update(effect={"category": "member"}), "admission.steps.approval.effect"),
    (lambda d: _step(d, "training")["thresholds"][0]["any_of"].update(weeks=1), "admission.steps.training.thresholds"),
    (lambda d: _step(d, "contacts")["fields"][0].update(categories=["ghost"]), "admission.steps.contacts.fields"),
    (lambda d: _step(d, "talk")["intervals"][0].update(max={"fortnights": 2}), "intervals.0.max.fortnights"),
    (lambda d: d["admission"].update(upper_kinds=["ministry"]), "admission.upper_kinds"),
])
def test_a_broken_profile_names_the_file_and_the_key(tmp_path, mutate, expected_key):
    data = _ccp_copy()
    mutate(data)
    with pytest.raises(ImproperlyConfigured) as err:
        profiles.load_file(_write(tmp_path, "ccp", data))
    message = str(err.value)
    assert "ccp.yaml" in message and expected_key in message


def test_invalid_yaml_and_wrong_key_are_reported(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="bad.yaml.*YAML"):
        profiles.load_file(_write(tmp_path, "bad", "key: [unclosed"))
    data = _ccp_copy()
    with pytest.raises(ImproperlyConfigured, match="other.yaml.*'ccp'"):
        profiles.load_file(_write(tmp_path, "other", data))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_profile_is_consistent(path):
    profile = profiles.load_file(path)
    roots = [k for k in profile.kinds if None in k.may_sit_under]
    assert roots, "a profile needs a kind that may be a root"
    assert any(c.full for c in profile.categories)
