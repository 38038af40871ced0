"""Synthetic people for the demo. Names come from Faker (zh_CN); everything else is drawn
so that it agrees with itself: the ID number with the birth date and sex, the age with the
employment and the admission dates, the employer and post with the branch.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from jiceng.core import idnumber

# Resident ID region codes (GB/T 2260) of the demo's cities; a few people were born elsewhere.
REGIONS = {
    "天津": ["120101", "120102", "120103", "120104", "120105", "120106", "120110", "120111", "120112", "120113", "120116"],
    "九江": ["360402", "360403", "360423", "360426", "360481", "360482"],
    "海宁": ["330481"],
    "嘉兴": ["330402", "330411"],
}
ELSEWHERE = ["110105", "130102", "320102", "340104", "370102", "410105", "420106", "510107"]
MINORITIES = ["回族", "满族", "蒙古族", "朝鲜族", "土家族", "壮族"]
NUMERALS = "一二三四五六七八九十"
INDUSTRIES = ["新材料科技", "智能装备", "现代物流", "电子商务", "建筑设计", "软件科技", "文化传媒", "医药科技"]
BUREAUS = ["教育局", "财政局", "卫生健康委员会", "科学技术局", "民政局"]

# The unit a branch is named after: 天津大学, 新华中学, 花园路社区, 双街村, 创新大厦金融服务企业 …
UNIT = re.compile(r"^(?:民进)?(.+?(?:大学|学院|中学|一中|二中|三中|社区|村|企业))")

# Kinds of work, as words that pick occupations out of a profile's `occupations` list
# (教育 for 民进, 企事业单位、社会组织专业技术人员 for the CCP …).
TEACH, HEAL, ARTS, SCIENCE = ["教育", "专业技术"], ["医卫", "专业技术"], ["文化", "出版", "专业技术"], ["科技", "专业技术"]
GOV, BUSINESS, LOCAL, FARM = ["机关"], ["经济", "专业技术", "管理人员"], ["其他"], ["农牧渔民"]
SCHOOL = ("{city}市第{n}中学", ["教师", "班主任", "教研组长", "年级组长"], TEACH)
HOSPITAL = ("{city}市第{n}人民医院", ["医师", "主治医师", "副主任医师", "护士长"], HEAL)
FIRM = ("{city}{ind}有限公司", ["工程师", "会计", "项目经理", "部门经理", "总经理助理"], BUSINESS)
FACTORY = ("{city}{ind}有限公司", ["工人", "操作工", "班组长"], ["工人"])
OFFICE = ("{city}市{bureau}", ["科员", "办事员"], GOV)  # ranked posts only for the cadres a seed counts
# sector → (employer template, posts, kind of work); "{unit}" templates apply only when the branch names a unit.
JOBS = {
    "中小学": [("{unit}", ["教师", "班主任", "年级组长", "教研组长", "副校长"], TEACH), SCHOOL,
             ("{city}市实验小学", ["教师", "班主任", "教导主任"], TEACH)],
    "高校": [("{unit}", ["教师", "辅导员", "实验室主任", "系主任", "副院长"], TEACH)],
    "医院": [("{unit}", ["医师", "主治医师", "主任医师", "科室主任"], HEAL), HOSPITAL,
           ("{city}市中医医院", ["医师", "主治医师", "药师"], HEAL), ("{city}市妇幼保健院", ["医师", "护师", "护士长"], HEAL)],
    "文化艺术": [("{city}市图书馆", ["馆员", "副研究馆员", "部门主任"], ARTS), ("{city}市文化馆", ["群文干部", "馆员"], ARTS),
             ("{city}市博物馆", ["馆员", "讲解员", "部门主任"], ARTS), ("{city}市艺术剧院", ["演员", "编导"], ARTS)],
    "科研院所": [("{city}市农业科学研究院", ["研究员", "助理研究员", "课题组长"], SCIENCE),
             ("{city}市科学技术信息研究所", ["研究员", "工程师", "助理研究员"], SCIENCE)],
    "机关": [OFFICE],
    "非公企业": [("{unit}", FIRM[1], BUSINESS), FIRM],
    "社区": [("{unit}居民委员会", ["社区工作者", "网格员", "居委会副主任"], LOCAL), FIRM, FACTORY, SCHOOL, HOSPITAL],
    "农村": [("{unit}村民委员会", ["村委会委员", "村民小组长"], FARM), ("{unit}股份经济合作社", ["社员", "会计"], FARM),
           ("{unit}", ["村民"], FARM), FACTORY],
}
GENERAL = [SCHOOL, HOSPITAL, FIRM, OFFICE]  # 直属, 县区, 其他 …
# A branch of a general sector named after a kind of work (民进天津市直机关支部, 民进经济支部 …).
NAMED_WORK = {"机关": "机关", "经济": "非公企业", "医": "医院", "教育": "中小学", "文化": "文化艺术", "科技": "科研院所"}
# Posts of members holding a cadre rank (seed 002 counts them): the wording of the post agrees with the rank,
# which is recorded in its own dated field (Member.cadre_rank) and counted by the statistics.
CADRE_POSTS = {"厅级": ["二级巡视员"], "处级": ["处长", "副处长", "一级调研员"], "科级": ["科长", "副科长", "一级主任科员"]}

EDUCATION = {  # weights by the kind of workplace; the degree follows the education
    "intellectual": {"研究生": 30, "大学本科": 55, "大学专科": 15},
    "enterprise": {"研究生": 20, "大学本科": 60, "大学专科": 20},
    "community": {"大学本科": 25, "大学专科": 30, "中专": 15, "高中": 20, "初中及以下": 10},
    "rural": {"大学专科": 10, "中专": 15, "高中": 30, "初中及以下": 45},
}
TITLES = {
    "intellectual": {"初级": 15, "中级": 40, "副高级": 30, "正高级": 15},
    "enterprise": {"无": 40, "初级": 25, "中级": 30, "副高级": 5},
}
UPPER_TITLES = {"中级": 40, "副高级": 40, "正高级": 20}  # 中上层 (seed 002), read from the title
LOWER_TITLES = {"初级": 60, "无": 40}


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def work_sector(org_name: str, sector: str) -> str:
    if sector in JOBS:
        return sector
    return next((s for word, s in NAMED_WORK.items() if word in org_name), sector)


def milieu(sector: str) -> str:
    return {"农村": "rural", "社区": "community", "非公企业": "enterprise", "楼宇": "enterprise"}.get(sector, "intellectual")


class People:
    def __init__(self, rng, fake):
        self.rng, self.fake = rng, fake
        self.used: set[str] = set()

    def day(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=self.rng.randint(0, max(0, (hi - lo).days)))

    def weighted(self, weights: dict) -> str:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def name(self, female: bool) -> str:
        # zh_CN's name formats ignore sex; its given-name lists do not
        return self.fake.last_name() + (self.fake.first_name_female() if female else self.fake.first_name_male())

    def birth(self, ref: date, lo: int, hi: int, in_1980s: bool | None = None) -> date:
        """A birth date giving an age between lo and hi on `ref` (and born in the 1980s or not, if asked)."""
        first, last = add_years(ref, -hi - 1) + timedelta(days=1), add_years(ref, -lo)
        if in_1980s:
            first, last = max(first, date(1980, 1, 1)), min(last, date(1989, 12, 31))
        for _ in range(100):
            born = self.day(first, last)
            if in_1980s is None or (1980 <= born.year <= 1989) == in_1980s:
                return born
        raise ValueError(f"no birth date aged {lo}–{hi} on {ref} (1980s: {in_1980s})")

    def id_number(self, city: str, born: date, female: bool) -> str:
        while True:
            region = self.rng.choice(REGIONS.get(city, ELSEWHERE) if self.rng.random() < 0.85 else ELSEWHERE)
            number = idnumber.compose(region, born, self.rng.randrange(0, 1000, 2) + (0 if female else 1))
            if number not in self.used:
                self.used.add(number)
                return number

    def phone(self) -> str:
        return "1" + self.rng.choice("3456789") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def ethnicity(self) -> str:
        return self.rng.choice(MINORITIES) if self.rng.random() < 0.06 else "汉族"

    def education(self, kind: str, sector: str, given: str = "", degree: str = "") -> tuple[str, str]:
        if degree:  # a seed counts degrees (九江: 硕士 3 of the new members)
            return {"博士": "研究生", "硕士": "研究生", "学士": "大学本科"}[degree], degree
        education = given or self.weighted(EDUCATION[kind])
        if education == "研究生":
            return education, "博士" if self.rng.random() < (0.4 if sector in ("高校", "科研院所") else 0.15) else "硕士"
        return education, "学士" if education == "大学本科" and self.rng.random() < 0.9 else ""

    def title(self, kind: str, stratum: str | None, age: int) -> str:
        table = (UPPER_TITLES if stratum == "中上层" else LOWER_TITLES) if stratum else TITLES.get(kind)
        if not table:
            return ""
        title = self.weighted(table)
        return "中级" if age < 33 and title in ("正高级", "副高级") else title  # senior titles take years

    def job(self, org_name: str, sector: str, city: str, retired: bool, cadre_rank: str | None,
            occupations: list[str], age: int) -> tuple[str, str, str, str]:
        """(employer, post, occupation, milieu); a retired person keeps the former employer (原…),
        has no post, and the profile's 离退休 occupation if it has one. Posts are listed junior
        first: the young hold the junior half."""
        unit = UNIT.match(org_name)
        choices = GENERAL if retired and sector in ("社区", "农村") else JOBS.get(sector, GENERAL)
        choices = [c for c in choices if "{unit}" not in c[0] or unit] or GENERAL
        if unit and sector not in ("社区", "农村"):  # a school's or enterprise's branch: its own staff
            choices = [c for c in choices if "{unit}" in c[0]] or choices
        template, posts, work = self.rng.choice(choices)
        employer = template.format(unit=unit.group(1) if unit else "", city=city, n=self.rng.choice(NUMERALS),
                                   ind=self.rng.choice(INDUSTRIES), bureau=self.rng.choice(BUREAUS))
        usual = [o for o in occupations if "离退休" not in o and "学生" not in o]
        fitting = [o for o in usual if any(w in o for w in work)] or [o for o in usual if "其他" in o] or usual
        occupation = self.rng.choice(fitting)
        kind = "enterprise" if work is BUSINESS else "intellectual" if work in (TEACH, HEAL, ARTS, SCIENCE, GOV) else milieu(sector)
        if retired:
            return "原" + employer, "", next((o for o in occupations if "离退休" in o), occupation), kind
        if cadre_rank in CADRE_POSTS:
            posts = CADRE_POSTS[cadre_rank]
        post = self.rng.choice(posts if age >= 35 else posts[: (len(posts) + 1) // 2])
        return employer, post, occupation, kind

    def admission(self, rules, category: str, born: date, as_of: date, joined: date | None = None,
                  join_before: date | None = None) -> tuple[str, dict, list[tuple[str, date]]]:
        """The category to create someone with, create_member's dates, and the later steps
        (change_category) that lead to `category` on `as_of`.

        Pipeline people have recent dates; members joined before `join_before` (or on `joined`);
        a category that follows joining (正式党员) is reached a year later (转正)."""
        r, cats = self.rng, rules.categories
        target = rules.category(category)
        join = next(c for c in cats if c.join_date)
        i, j = cats.index(target), cats.index(join)
        adult = add_years(born, 18)
        if i < j:  # applicant, activist, development target: steps within the last two years
            if i == 0:
                return category, {"applied_on": as_of - timedelta(days=r.randint(15, 200))}, []
            days = sorted(r.sample(range(15, 700), i + 1), reverse=True)
            steps = [(cats[k].key, as_of - timedelta(days=days[k])) for k in range(1, i + 1)]
            return steps[0][0], {"applied_on": max(adult, as_of - timedelta(days=days[0])), "since": steps[0][1]}, steps[1:]
        if target is join and not target.full:  # probationary: joined within the last year
            joined = as_of - timedelta(days=r.randint(15, 340))
        elif joined is None:
            latest = (join_before or as_of) - timedelta(days=1)
            if target is not join:  # confirmed a year after joining, before as_of
                latest = min(latest, as_of - timedelta(days=400))
            # parties admitting straight to full membership recruit established professionals
            first = min(add_years(born, 28 if join.full else 20), latest)
            joined = self.day(first, max(first, min(add_years(born, 50), latest)))
        dates = {"applied_on": max(adult, joined - timedelta(days=r.randint(365, 730))), "joined_on": joined}
        if target.full and target is not join:
            dates["confirmed_on"] = add_years(joined, 1) + timedelta(days=r.randint(0, 30))  # a year of probation
        return category, dates, []

