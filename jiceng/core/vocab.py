"""Closed vocabularies shared by every organization system (national code lists, import format).

Party-specific words (categories, kinds, 界别) live in the profiles instead.
"""
SEXES = ["男", "女"]
EDUCATIONS = ["研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"]
DEGREES = ["博士", "硕士", "学士"]
TITLE_LEVELS = ["正高级", "副高级", "中级", "初级", "无"]
# 干部级别 (RULES.md §9: democratic parties count cadres by rank) and 政治安排 (political arrangements): the
# level of the people's congress (人大代表) and of the CPPCC committee (政协委员) a person sits on; blank = none.
CADRE_RANKS = ["厅级", "处级", "科级", "无"]
NPC_LEVELS = ["全国", "省级", "市级", "县级", "乡级"]
CPPCC_LEVELS = ["全国", "省级", "市级", "县级"]
EMPLOYMENTS = ["在职", "离退休", "学生", "无业", "其他"]
SECTORS = [
    "高校", "中小学", "医院", "科研院所", "机关", "事业单位", "国有企业", "非公企业", "社会组织",
    "街道", "社区", "农村", "县区", "直属", "楼宇", "园区", "文化艺术", "其他",
]
ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族",
    "赫哲族", "门巴族", "珞巴族", "基诺族",
]
# Official statistics age bands (RULES.md §9): (label, lowest age, highest age).
AGE_BANDS = [
    ("≤30", 0, 30), ("31–35", 31, 35), ("36–40", 36, 40), ("41–45", 41, 45),
    ("46–50", 46, 50), ("51–55", 51, 55), ("56–60", 56, 60), ("≥61", 61, 200),
]
