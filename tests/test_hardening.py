"""Production hardening: login lockout per user and address, query parameters that cannot be read,
debug off by default, security headers and pages without inline scripts, HTTPS settings and
`check --deploy`, attachment limits, and the request id a client may send."""
import os
import re
import runpy
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from jiceng.admission.models import Application

from conftest import PASSWORD

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "jiceng" / "settings.py"


def client(user):
    c = Client()
    c.force_login(user)
    return c


# --- login lockout ----------------------------------------------------------------------------

def log_in(username, password, ip, **headers):
    return Client().post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


def test_a_locked_user_does_not_lock_everyone_else_at_the_same_address(world):
    """A whole office shares one address behind its NAT or proxy: one user's wrong passwords lock that user there."""
    for _ in range(4):
        assert log_in("officer_a", "wrong", "10.0.0.1").status_code == 200  # the form again, with its error
    locked = log_in("officer_a", "wrong", "10.0.0.1")
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    assert log_in("officer_a", PASSWORD, "10.0.0.1").status_code == 429  # the right password waits too
    # without trusted proxies, a forwarded address a client writes itself changes nothing
    assert log_in("officer_a", PASSWORD, "10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429
    # another user at the same address logs in
    assert log_in("inspector", PASSWORD, "10.0.0.1").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_client_address_is_the_one_locked(world, settings):
    settings.JICENG_TRUSTED_PROXIES = 1
    proxy = "10.9.9.9"
    for _ in range(5):
        log_in("officer_a", "wrong", proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert log_in("officer_a", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # the same user from another computer behind the same proxy
    assert log_in("officer_a", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302
    # the locked computer cannot pretend to be another: the proxy appends the address it saw
    assert log_in("officer_a", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.6, 203.0.113.5").status_code == 429


def english_catalog():
    """The compiled English catalog, as `jiceng setup` leaves it (then Django's cached catalogs are dropped)."""
    from django.utils.translation import trans_real

    from jiceng.core import i18n

    if i18n.compile_catalogs():
        trans_real._translations = {}
        trans_real._default = None


def test_the_token_endpoint_answers_429_with_the_reason_when_locked(world):
    english_catalog()
    api = APIClient()

    def token(username, password, **headers):
        return api.post("/api/token/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1", **headers)

    for _ in range(4):
        assert token("officer_a", "wrong").status_code == 400
    assert token("officer_a", "wrong").status_code == 429
    locked = token("officer_a", PASSWORD)
    assert locked.status_code == 429 and "登录失败次数过多" in locked.json()["detail"]
    assert int(locked["Retry-After"]) > 0
    english = token("officer_a", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429 and "Too many failed logins" in english.json()["detail"]
    assert log_in("officer_a", PASSWORD, "10.0.0.1").status_code == 429  # the page and the API count together
    other = token("inspector", PASSWORD)
    assert other.status_code == 200 and other.json()["token"]


# --- query parameters -------------------------------------------------------------------------

INT_BAD = ["abc", "-1", "1.5", "0x1f", "99999999999999999999999", "１２", "+"]  # full-width digits; "+" is a space
ID_BAD = INT_BAD + [" 1"]  # the list filters (django-filter) read " 1" as 1, as Django's forms do
DAY_BAD = ["2018-13-01", "2018-02-30", "yesterday", "20181231", "2018-1-1"]
YEAR_BAD = ["abc", "1899", "10000", "２０２５"]
RID = "123e4567-e89b-12d3-a456-426614174000"
RID_BAD = ["zz", "{%s}" % RID, "urn:uuid:" + RID, RID.replace("-", "")]

# (path, parameter, bad values, the rest of the query): every query parameter a page or endpoint reads
PARAMETERS = [
    ("/changes/", "org", ID_BAD, ""),
    ("/changes/", "batch", ID_BAD, ""),
    ("/changes/", "request_id", RID_BAD, ""),
    ("/members/add/", "org", ID_BAD, ""),
    ("/orgs/add/", "parent", ID_BAD, ""),
    ("/orgs/{org}/", "as_of", DAY_BAD, ""),
    ("/members/{member}/", "as_of", DAY_BAD, ""),
    ("/orgs/elections/", "state", ["zz", "Overdue", "overdue "], ""),
    ("/admission/start/", "org", ID_BAD, ""),
    ("/admission/start/", "member", ID_BAD, ""),
    ("/admission/pipeline/", "org", ID_BAD, ""),
    ("/admission/plans/", "org", ID_BAD, ""),
    ("/admission/plans/", "year", YEAR_BAD, "org={org}"),
    ("/admission/plans/edit/", "org", ID_BAD, "year=2025"),
    ("/admission/plans/edit/", "year", YEAR_BAD, "org={org}"),
    ("/export/members/", "org", INT_BAD, ""),
    ("/export/orgs/", "sector", ["不存在的类别"], ""),
    ("/api/admission/pipeline/", "org", ID_BAD, ""),
    ("/api/admission/plans/", "org", ID_BAD, ""),
    ("/api/admission/plans/", "year", YEAR_BAD, "org={org}"),
    ("/api/export/members/", "org", INT_BAD, ""),
]  # the API's lists (/api/members/?org=…) answer a filter they cannot read with 400 through DRF's filter backend


@pytest.mark.parametrize("path,name,values,rest", PARAMETERS, ids=[f"{p}?{n}" for p, n, _v, _r in PARAMETERS])
def test_a_parameter_that_cannot_be_read_is_a_bad_request_naming_it(world, path, name, values, rest):
    """Never a 500 (nor, with debug on, Django's technical page): a 400 that says which parameter and why."""
    ids = {"org": world.a.pk, "member": world.a_members[0].pk}
    c = client(world.admin)
    for value in values:
        query = "&".join(q for q in (rest.format(**ids), f"{name}={value}") if q)
        response = c.get(f"{path.format(**ids)}?{query}")
        assert response.status_code == 400, (path, name, value, response.status_code)
        if path.startswith("/api/"):  # the API names it as the field of its 400
            assert name in response.json(), (path, name, value, response.json())
        else:
            assert f"参数 {name}" in response.content.decode(), (path, name, value)


def test_the_issue_urls_answer_400_with_a_page(world):
    c = client(world.org_admin)
    for url in ("/changes/?org=abc", "/changes/?request_id=zz", "/changes/?batch=99999999999999999999999",
                "/members/add/?org=abc", "/orgs/add/?parent=abc"):
        response = c.get(url)
        assert response.status_code == 400 and "请求有误" in response.content.decode(), url
    # well-formed ids outside the scope stay "not found"
    assert c.get("/members/add/?org=987654").status_code == 404
    # and good ones still work
    assert c.get(f"/changes/?org={world.a.pk}&request_id={RID}").status_code == 200
    assert c.get(f"/orgs/{world.a.pk}/?as_of=2018-12-31").status_code == 200


# --- debug, HTTPS settings, check --deploy ----------------------------------------------------

def settings_with(monkeypatch, tmp_path, **env):
    """The settings module as a fresh process would read it with this environment."""
    for key in [k for k in os.environ if k.startswith("JICENG_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("JICENG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JICENG_SECRET_KEY", "k" * 60)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_debug_is_off_unless_asked_for_and_static_files_are_still_served(monkeypatch, tmp_path, client, db):
    assert settings_with(monkeypatch, tmp_path)["DEBUG"] is False
    assert settings_with(monkeypatch, tmp_path, JICENG_DEBUG="1")["DEBUG"] is True
    makefile = (SETTINGS_FILE.parent.parent / "Makefile").read_text()
    assert not re.search(r"^export JICENG_DEBUG", makefile, re.M)  # `make run` gets the default
    for asset in ("/static/jiceng/app.js", "/static/vendor/htmx/htmx.min.js", "/static/vendor/bootstrap/css/bootstrap.min.css"):
        assert client.get(asset).status_code == 200, asset  # WhiteNoise, with DEBUG off as in this test


def test_https_settings_turn_on_together_and_the_proxy_header_only_when_named(monkeypatch, tmp_path):
    plain = settings_with(monkeypatch, tmp_path)
    assert not plain["SECURE_SSL_REDIRECT"] and not plain["SESSION_COOKIE_SECURE"] and plain["SECURE_HSTS_SECONDS"] == 0
    https = settings_with(monkeypatch, tmp_path, JICENG_HTTPS="1")
    assert https["SECURE_SSL_REDIRECT"] and https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_HSTS_SECONDS"] >= 31536000 and "SECURE_PROXY_SSL_HEADER" not in https
    proxied = settings_with(monkeypatch, tmp_path, JICENG_HTTPS="1", JICENG_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    # the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is theirs, not production's
    env = {k: v for k, v in os.environ.items() if not k.startswith("JICENG_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "DJANGO_SETTINGS_MODULE": "jiceng.settings", "JICENG_DATA_DIR": str(tmp_path), "JICENG_HTTPS": "1",
        "JICENG_SECRET_KEY": "a-long-random-production-secret-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "JICENG_ALLOWED_HOSTS": "jiceng.example.org"}
    run = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                         env=env, capture_output=True, text=True, timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "WARNING" not in output, output


# --- security headers, no inline scripts -------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def test_pages_send_a_strict_script_policy_and_carry_no_inline_script(world, app_started):
    c = client(world.org_admin)
    pages = ["/", "/orgs/", f"/orgs/{world.a.pk}/", f"/orgs/{world.root.pk}/children/", "/members/",
             f"/members/{world.a_members[0].pk}/", "/admission/", f"/admission/{app_started.pk}/",
             "/admission/pipeline/", "/admission/plans/", "/changes/", "/imports/", "/orgs/elections/", "/orgs/warnings/",
             f"/members/{world.a_members[0].pk}/edit/", "/api/docs/"]
    for url in pages:
        response = c.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert script_src.split()[1:] == ["'self'"], csp
        assert "camera=()" in response["Permissions-Policy"]
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), (url, INLINE_SCRIPT.search(body).group(0))
        assert not INLINE_HANDLER.search(body), (url, INLINE_HANDLER.search(body).group(0))
    assert not INLINE_HANDLER.search(Client().get("/login/").content.decode())


@pytest.fixture
def app_started(world):
    from datetime import date

    from jiceng.admission import services

    return services.start(world.admin, org=world.a, on=date(2022, 3, 1),
                          person={"name": "小张", "sex": "女", "birth_date": date(2000, 2, 3)})


# --- attachments -----------------------------------------------------------------------------

def start_with(c, world, upload):
    return c.post(f"/admission/start/?org={world.a.pk}", {"name": "附件测试", "sex": "男", "birth_date": "2001-04-05",
                                                         "on": "2024-05-06", "document": upload})


def test_attachments_are_limited_in_size_and_type(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.JICENG_ATTACHMENT_MAX_MB = 0.01  # about 10 KB
    c = client(world.officer_a)
    refused = {
        "程序.exe": (b"MZ\x90\x00" + b"\x00" * 100, "附件类型不允许"),
        "页面.html": (b"<html><script>alert(1)</script></html>", "附件类型不允许"),
        "伪装.pdf": (b"<html><script>alert(1)</script></html>", "附件内容与扩展名 .pdf 不符"),
        "扫描件.pdf": (b"%PDF-1.7\n" + b"0" * 20000, "附件过大"),
    }
    for name, (content, reason) in refused.items():
        response = start_with(c, world, SimpleUploadedFile(name, content))
        assert response.status_code == 200 and reason in response.content.decode(), name
    assert not Application.objects.filter(member__name="附件测试").exists()
    ok = start_with(c, world, SimpleUploadedFile("入党申请书.PDF", b"%PDF-1.7\nsmall"))
    assert ok.status_code == 302
    record = Application.objects.get(member__name="附件测试").steps.get()
    assert record.attachment.read() == b"%PDF-1.7\nsmall"


def test_the_model_field_refuses_the_same_files(world, settings):
    from django.core.exceptions import ValidationError

    from jiceng.admission.models import StepRecord

    field = StepRecord._meta.get_field("attachment")
    with pytest.raises(ValidationError, match="附件类型不允许"):
        field.run_validators(SimpleUploadedFile("脚本.js", b"alert(1)"))
    field.run_validators(SimpleUploadedFile("表格.xlsx", b"PK\x03\x04rest"))


# --- request id ------------------------------------------------------------------------------

def test_a_client_request_id_is_taken_only_in_canonical_form(world):
    c = client(world.admin)
    assert c.get("/", HTTP_X_REQUEST_ID=RID)["X-Request-ID"] == RID
    assert c.get("/", HTTP_X_REQUEST_ID=RID.upper())["X-Request-ID"] == RID
    for odd in RID_BAD + [RID + "-", "-".join(RID.replace("-", ""))]:
        given = c.get("/", HTTP_X_REQUEST_ID=odd)["X-Request-ID"]
        assert given != RID and re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", given), odd
