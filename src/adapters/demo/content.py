"""Chinese text pools for the demo data set.

Modelled on the hot topics of the seed bulletin (湘潭县 2016 Q3, section 三):
schools, roads, pollution, water and power, administrative efficiency,
citizens' suggestions; on the conduct hotline policy questions, city
construction, housing and traffic.

Every template names its topic, the categories it fits, plausible lead units,
co-units (for joint handling) and wrong units (for returns, 退单), and the
replies a lead might give. Fillers ({town}, {road}, ...) are kept free of
topic keywords so that a template's own words decide how a case without a
`topic` is classified. Only `clean` templates are used for such cases: their
words name exactly one topic under `TOPIC_KEYWORDS` (the brief's keywords),
and the tests check that the engine's default taxonomy (most hits wins)
agrees. Templates with words the two read differently (路灯 is urban
construction to one, roads to the other) are marked `topicless=False`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

TOPICS: tuple[str, ...] = (
    "education",
    "roads_traffic",
    "environment",
    "water_power",
    "admin_efficiency",
    "urban_construction",
    "policy",
    "housing",
    "agriculture",
    "public_security",
    "other",
)

# The keyword taxonomy the demo assumes the deployment uses. Cases sent
# without `topic` carry keywords of exactly one topic (or none: `other`), so
# any taxonomy built on these keywords classifies them the same way whatever
# order it tries the topics in.
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "education": ("学校", "教师"),
    "roads_traffic": ("道路", "交通", "红绿灯"),
    "environment": ("垃圾", "噪音", "油烟", "灰尘"),
    "water_power": ("停电", "电压", "水管", "水费"),
    "admin_efficiency": ("态度差",),
    "urban_construction": ("路灯", "绿化"),
    "policy": ("新农合", "养老金", "户籍"),
    "housing": ("房产证", "物业"),
    "agriculture": ("稻谷", "种子"),
    "public_security": ("赌场", "治安"),
}


def keyword_topics(text: str) -> set[str]:
    """The topics whose keywords occur in `text`."""
    return {t for t, words in TOPIC_KEYWORDS.items() if any(w in text for w in words)}


OFFICE = "热线办"

# 湘潭县 towns and townships. 梅林桥 is left out on purpose: in 2016 it was a
# 片区 of 易俗河镇 (exemplary case 1 says "易俗河镇梅林桥片区").
TOWNSHIPS: tuple[str, ...] = (
    "易俗河镇", "花石镇", "杨嘉桥镇", "白石镇", "河口镇", "石潭镇", "射埠镇",
    "中路铺镇", "茶恩寺镇", "云湖桥镇", "青山桥镇", "谭家山镇", "排头乡",
    "乌石镇", "石鼓镇", "分水乡", "锦石乡",
)
# The county seat sends most requests.
TOWNSHIP_WEIGHTS: tuple[int, ...] = (30, 6, 6, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2)

VILLAGES = ("连托村", "回隆村", "白马村", "石门村", "新桥村", "金星村", "红旗村", "长乐村",
            "莲花村", "清溪村", "荷塘村", "双江村", "太平村", "团结村", "青龙村", "古塘村")
ROADS = ("湘衡路", "金霞路", "天易大道", "晓塘路", "建设北路", "芙蓉路", "湘江东路",
         "酱园1路", "锦绣路", "107国道沿线", "S208省道")
COMMUNITIES = ("江岸名城", "香堤雅郡", "欣积福湾", "天易水岸", "金湾花园", "明珠苑", "盛世家园",
               "福星花园", "湘江一品", "锦绣华庭")
# Written after "{town}": "花石镇" + "中心小学".
SCHOOLS = ("中心小学", "中学", "实验小学", "第二小学", "第一初级中学")
HOSPITALS = ("县人民医院", "县中医医院", "县妇幼保健院")
SURNAMES = ("罗", "王", "李", "张", "刘", "陈", "周", "彭", "谭", "胡", "黄", "易", "曾", "赵",
            "唐", "龙", "欧阳", "贺", "邓", "朱")
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                  "152", "153", "155", "156", "158", "159", "177", "180", "181", "186", "187",
                  "189")

DETAILS: tuple[str, ...] = (
    "已经持续一个多月", "多次向村里反映都没有结果", "家里有老人和小孩", "附近住户意见很大",
    "周边几百户居民都受影响", "这个问题去年就反映过", "希望尽快得到答复", "已经拍了照片留存",
)

# Channel framing: how a hotline operator, a letter or a web post opens and
# closes. Keyword-free so that it never changes how a case is classified.
OPENINGS: dict[str, tuple[str, ...]] = {
    "mayor_hotline": ("市民反映：", "来电人反映：", "市民来电："),
    "county_hotline": ("来电人反映：", "群众来电反映：", "来电人称："),
    "mayor_mailbox": ("尊敬的市长：您好！", "市长您好！"),
    "county_mailbox": ("尊敬的县长：您好！", "县长您好！", "尊敬的县领导："),
    "conduct_hotline": ("网友发帖：", "听众来电：", "网友留言："),
}
CLOSINGS: dict[str, tuple[str, ...]] = {
    "mayor_hotline": ("请相关部门调查处理。", "请相关部门联系来电人并处理。谢谢！", ""),
    "county_hotline": ("请相关部门调查处理。", "望尽快处理。", ""),
    "mayor_mailbox": ("盼复！", "恳请领导重视。", "此致敬礼！"),
    "county_mailbox": ("盼复！", "恳请县长关注。", "此致敬礼！"),
    "conduct_hotline": ("希望有关部门给个说法。", "盼回复。", ""),
}


@dataclass(frozen=True)
class Template:
    """One kind of citizen request, with what the units do about it."""

    topic: str
    categories: frozenset[str]
    text: str
    leads: tuple[str, ...]
    replies: tuple[str, ...]
    co_units: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    urgent_ok: bool = False
    topicless: bool = True  # False: keywords are ambiguous across taxonomies
    clean: bool = field(default=False, compare=False)


def _t(topic: str, cats: str, text: str, leads: tuple[str, ...], replies: tuple[str, ...],
       co: tuple[str, ...] = (), wrong: tuple[str, ...] = (), answers: tuple[str, ...] = (),
       urgent_ok: bool = False, topicless: bool = True) -> Template:
    return Template(topic, frozenset(cats.split()), text, leads, replies, co, wrong, answers,
                    urgent_ok, topicless)


TOWN_GOV = "{town}人民政府"

_RAW: tuple[Template, ...] = (
    # --- education ---------------------------------------------------------
    _t("education", "complaint help",
       "{town}{school}教师配备严重不足，一名教师要带{n}个班的课，希望尽快补充师资。",
       ("县教育局",), ("经核实，该校今年秋季将新调入教师{n}名，缺编问题将在开学前解决。",
                      "县教育局已将该校列入本年度教师补充计划，通过特岗招聘补足缺口。"),
       co=(TOWN_GOV,), wrong=("县人社局",)),
    _t("education", "complaint help",
       "{town}乡村教师工资已经{m}个月没有按时发放，{detail}，请核实处理。",
       ("县教育局",), ("经查，因财政拨付流程调整导致延迟，拖欠的工资已于本周全部发放到位。",),
       co=("县人社局",), wrong=("县人社局",)),
    _t("education", "complaint report",
       "{town}{school}暑假组织学生补课并收取补课费每人{fee}元，就餐收费也不公开，家长质疑学校乱收费。",
       ("县教育局",),
       ("县教育局已责令该校立即停止暑期补课，所收费用全部清退，并对相关责任人进行诫勉谈话。",
        "经调查属实，已责令学校清退补课费，就餐收费按标准公示。")),
    _t("education", "complaint report",
       "{town}{school}对面开了一家赌场，人员混杂，学生上学放学都要经过，家长很担心。",
       ("县公安局",), ("公安机关已对该场所进行查处，收缴赌具，依法处理涉赌人员{n}名。",),
       co=("县教育局", TOWN_GOV), wrong=("县教育局",)),
    _t("education", "complaint suggestion",
       "{town}{school}门口上下学时段交通路况差，接送车辆乱停乱放，建议设置减速带并安排人员疏导。",
       ("县公安局",), ("交警大队已在校门口增设减速带和警示标志，上下学时段安排警力疏导。",),
       co=("县教育局", "县交通运输局"), wrong=("县交通运输局",)),
    _t("education", "complaint",
       "县一中周边晚上噪音很大，歌厅营业到深夜，影响学生休息和学习。",
       ("县城管局",), ("已联合执法，责令周边歌厅晚上十点后停止营业性外放，并将持续巡查。",),
       co=("县环保局", "县公安局"), wrong=("县环保局",)),
    _t("education", "consultation",
       "孩子今年秋季入学，户口在{town}，想咨询在易俗河城区学校就读需要办理哪些手续？",
       ("县教育局",), ("凭户口簿、房产或租房证明到片区学校报名，具体划片范围见县教育局公告。",),
       answers=("已告知来电人：凭户口簿、居住证明到片区学校报名，划片范围以县教育局公告为准。",)),
    _t("education", "suggestion",
       "建议{town}为偏远村组开通校车，方便学生到学校上学，{detail}。",
       ("县教育局",), ("县教育局已会同交通部门调研，计划在{town}试点开通校车线路。",),
       co=("县交通运输局",)),
    # --- roads and traffic -------------------------------------------------
    _t("roads_traffic", "complaint help",
       "{town}{road}路面坑洼严重，下雨天积水，车辆和行人通行困难，请尽快维修道路。",
       ("县交通运输局", TOWN_GOV), ("已安排养护队对该路段进行修补，预计{n}日内完成。",
                                 "该道路已列入今年维修计划，近期先行填补坑槽。"),
       co=(TOWN_GOV, "县公安局"), wrong=(TOWN_GOV, "县住建局")),
    _t("roads_traffic", "complaint help",
       "从云湖桥镇往石潭镇方向的乡间道路年久失修，坑洼不平，{detail}，希望早日修缮。",
       ("县交通运输局",), ("该路段已纳入农村公路提质改造计划，年内开工。",),
       co=("云湖桥镇人民政府", "石潭镇人民政府"), wrong=("云湖桥镇人民政府",)),
    _t("roads_traffic", "complaint",
       "湘衡路蒋家大院前面的路段长期破损，大货车经过尘土飞扬，交通事故隐患很大。",
       ("县交通运输局",), ("已对该路段破损路面进行修补，并设置限速警示标志。",),
       co=("县公安局",), wrong=("县公安局",)),
    _t("roads_traffic", "complaint help",
       "河口镇连托村村委会前的马路路面塌陷，{detail}，请尽快处理。",
       ("河口镇人民政府",), ("镇政府已组织对塌陷路面进行回填硬化，现已恢复通行。",),
       co=("县交通运输局",), wrong=("县交通运输局",)),
    _t("roads_traffic", "complaint help",
       "白石镇白马路路面破损严重，雨天积水，{detail}，请尽快维修。",
       ("白石镇人民政府",), ("镇政府已对白马路破损路段进行修补，排水沟同步疏通。",),
       co=("县交通运输局",), wrong=("县交通运输局",)),
    _t("roads_traffic", "suggestion",
       "{town}{road}交叉路口车流量大，没有红绿灯，经常发生剐蹭，建议尽快安装红绿灯。",
       ("县公安局",), ("交警大队已现场勘查，该路口信号灯安装已列入计划，近期先设置减速让行标志。",),
       co=("县交通运输局", "县住建局"), wrong=("县交通运输局",)),
    _t("roads_traffic", "consultation",
       "想咨询{road}道路改造什么时候完工，施工期间公交怎么绕行？",
       ("县交通运输局",), ("该路段改造计划年底前完工，施工期间公交线路临时绕行，详见公告。",),
       answers=("已告知来电人该路段完工时间和公交临时绕行线路。",)),
    _t("roads_traffic", "report",
       "{town}{road}每天晚上有超载大货车非法通行，压坏路面，请交通部门查处。",
       ("县交通运输局",), ("已联合交警在该路段设卡治超，查处超载车辆{n}台次。",),
       co=("县公安局",), wrong=("县公安局",)),
    _t("roads_traffic", "complaint suggestion",
       "易俗河城区交通要道{road}上下班时段拥堵严重，车辆停放无序，建议加强疏导。",
       ("县公安局",), ("交警大队已在高峰时段增派警力，并对乱停乱放车辆进行集中整治。",),
       co=("县城管局",), wrong=("县城管局",)),
    _t("roads_traffic", "suggestion",
       "建议在{town}{road}急弯处设置提醒牌等交通标牌，保障过往车辆安全。",
       ("县交通运输局",), ("采纳建议，已在急弯处增设警示牌和凸面镜。",)),
    # --- environment -------------------------------------------------------
    _t("environment", "complaint",
       "{community}小区附近的夜宵摊点每天营业到凌晨，噪音和油烟扰民，居民无法休息。",
       ("县城管局",), ("已对夜宵摊点进行规范，责令晚上十一点前收摊并安装油烟净化设备。",),
       co=("县环保局", "县公安局"), wrong=("县环保局",)),
    _t("environment", "complaint",
       "{town}{road}一家饭店油烟直排，{detail}。",
       ("县环保局",), ("经现场检查，已责令该饭店限期安装油烟净化器，逾期将依法处罚。",),
       co=("县城管局",), wrong=("县城管局",)),
    _t("environment", "complaint report",
       "{town}{village}有人在路边焚烧垃圾，浓烟刺鼻，附近居民苦不堪言。",
       (TOWN_GOV,), ("镇政府已制止焚烧行为，并在该村增设收集点，定期清运。",),
       co=("县环保局",), wrong=("县环保局",)),
    _t("environment", "complaint",
       "{road}工地灰尘很大，晚上噪音扰民，请督促洒水降尘、夜间停工。",
       ("县住建局",), ("已约谈施工单位，要求落实洒水降尘措施，晚十点后禁止施工。",),
       co=("县环保局", "县城管局"), wrong=("县环保局",)),
    _t("environment", "complaint help",
       "{community}小区门口垃圾堆放多日无人清运，天气炎热臭气熏天，请尽快清理。",
       ("县城管局",), ("环卫所已当天清运，并调整该片区清运频次为每日两次。",),
       wrong=(TOWN_GOV,)),
    _t("environment", "suggestion",
       "建议加强湘江水质保护，{town}沿江一带有企业偷排污水，希望加大监管。",
       ("县环保局",), ("已对沿江企业开展专项检查，对{n}家企业下达整改通知。",),
       co=("县农业局",)),
    _t("environment", "report",
       "{town}{village}一家石料厂夜间生产噪音大、灰尘多，请环保部门查处。",
       ("县环保局",), ("经查，该厂环保手续不全，已责令停产整改。",),
       co=(TOWN_GOV, "县国土资源局"), wrong=(TOWN_GOV,)),
    # --- water and power ---------------------------------------------------
    _t("water_power", "complaint help",
       "入夏以来{town}{village}经常停电，空调和冰箱都用不了，{detail}。",
       ("国网湘潭县供电公司",), ("已对该台区进行增容改造，更换变压器一台，供电已恢复正常。",),
       co=(TOWN_GOV,), urgent_ok=True),
    _t("water_power", "complaint help",
       "{town}{village}电压太低，晚上电灯都是暗的，线路老化严重，请供电公司改造线路。",
       ("国网湘潭县供电公司",), ("已将该村低电压治理列入迎峰度夏工程，近期完成线路改造。",),
       co=(TOWN_GOV,)),
    _t("water_power", "help",
       "{community}小区自来水水管破裂，漏水严重，已经停水{n}个小时，请尽快派人抢修。",
       ("县自来水公司",), ("抢修人员已到场，破损管道已更换，恢复供水。",),
       wrong=("县住建局",), urgent_ok=True),
    _t("water_power", "complaint",
       "{community}小区本月水费比平时高出好几倍，怀疑水表有问题，收费不合理。",
       ("县自来水公司",), ("经上门校验，水表计量正常，用水量增加系室内管道渗漏所致，已协助查漏。",
                          "经检测水表故障，已更换水表并退还多收费用。"),
       wrong=("县住建局",)),
    _t("water_power", "consultation",
       "想咨询城区居民水费阶梯价格怎么计算，一户多人口能否申请调整？",
       ("县自来水公司",), ("居民水费按年用水量分三档计价，五人以上家庭可凭户口簿申请调整基数。",),
       answers=("已告知来电人水费阶梯价格标准，多人口家庭可凭户口簿到营业厅申请调整。",)),
    _t("water_power", "complaint",
       "新装的入户水管质量不好，用了不到一年就多处渗漏，请自来水公司负责更换。",
       ("县自来水公司",), ("已上门检查，对渗漏管段免费更换。",), wrong=("县住建局",)),
    _t("water_power", "report help",
       "城区{road}水管破裂，大量自来水流到路上，请相关部门抢修。",
       ("县自来水公司",), ("接报后立即关阀抢修，当晚恢复供水。",),
       co=("县城管局",), urgent_ok=True),
    _t("water_power", "complaint help",
       "{town}{village}电路老化，一到晚上用电高峰就跳闸停电，请供电公司检修。",
       ("国网湘潭县供电公司",), ("已更换老化线路{n}百米，用电高峰跳闸问题已解决。",),
       urgent_ok=True),
    # --- administrative efficiency ------------------------------------------
    _t("admin_efficiency", "complaint",
       "在{hospital}看病时，医务人员态度差，{detail}，请调查处理。",
       ("县卫计局",), ("经调查，已对当事医务人员进行批评教育，并向患者道歉。",),
       wrong=("县人社局",)),
    _t("admin_efficiency", "complaint",
       "到{town}派出所办事，民警态度差，推诿扯皮，跑了{n}趟都没办成。",
       ("县公安局",), ("县公安局已约谈该所负责人，对当事民警进行通报批评，事项已办结。",)),
    _t("admin_efficiency", "complaint",
       "{town}{village}村干部态度差，办事拖拉，{detail}。",
       (TOWN_GOV,), ("镇纪委已对该村干部进行约谈，责令改进工作作风，事项已办理。",),
       wrong=("县民政局",)),
    _t("admin_efficiency", "complaint",
       "{town}政府工作人员服务态度差，开一个证明跑了{n}趟还没开好。",
       (TOWN_GOV,), ("镇政府已当面向群众致歉，证明已开具，并对相关人员进行批评教育。",)),
    _t("admin_efficiency", "praise",
       "感谢{hospital}医护人员热情周到的服务，{detail}，特此表扬。",
       ("县卫计局",), ("已将群众表扬转达相关医院并予以通报表扬。",)),
    _t("admin_efficiency", "praise",
       "{town}便民服务中心工作人员耐心细致，当天就把事情办好了，特此表扬。",
       (TOWN_GOV,), ("感谢群众的肯定，已在全镇通报表扬。",)),
    # --- urban construction ------------------------------------------------
    _t("urban_construction", "suggestion complaint",
       "{road}一带路灯损坏多日不亮，夜间出行不安全，请尽快维修路灯。",
       ("县城管局",), ("已维修更换灯具{n}盏，该路段路灯恢复正常。",),
       wrong=("县住建局", "国网湘潭县供电公司"), topicless=False),
    _t("urban_construction", "suggestion",
       "建议在{community}周边增加绿化，补种行道树，改善居住环境。",
       ("县城管局",), ("采纳建议，秋冬季植树时将在该片区补植行道树。",),
       co=("县住建局",)),
    _t("urban_construction", "complaint suggestion",
       "{road}绿化带长期无人维护，杂草丛生，请安排修剪。",
       ("县城管局",), ("园林所已对该绿化带进行修剪清理，纳入日常养护。",),
       wrong=("县住建局",)),
    _t("urban_construction", "suggestion",
       "{town}新修的{road}还没有安装路灯，建议尽快安装。",
       ("县住建局",), ("该路段路灯安装已纳入工程收尾计划，预计下月完成。",),
       co=("县城管局", TOWN_GOV), wrong=("县城管局",), topicless=False),
    _t("urban_construction", "suggestion",
       "建议在沿江风光带增设休闲座椅和公共厕所，方便市民锻炼休息。",
       ("县城管局",), ("感谢建议，已列入沿江风光带提质改造计划。",)),
    # --- policy --------------------------------------------------------------
    _t("policy", "consultation",
       "想咨询新农合住院报销政策，报销比例是多少，在县外医院住院能否报销？",
       ("县卫计局",), ("新农合在县外定点医院住院可按规定比例报销，需先办理转诊备案。",),
       answers=("已告知来电人：县外定点医院住院先办理转诊备案，按规定比例报销。",)),
    _t("policy", "consultation",
       "本人今年满60周岁，想咨询城乡居民养老金如何申领，每月能领多少？",
       ("县人社局",), ("持身份证、户口簿到村（社区）劳动保障站申领，待遇按缴费年限核定。",),
       answers=("已告知来电人：持身份证、户口簿到所在村（社区）劳动保障站办理申领。",)),
    _t("policy", "consultation",
       "请问女职工产假是多少天？单位不批年休假怎么办？",
       ("县人社局",), ("按湖南省规定产假为158天；单位应依法安排年休假，可向劳动监察投诉。",),
       answers=("已告知来电人产假天数及年休假维权途径。",)),
    _t("policy", "consultation",
       "小孩出生后户籍怎么办理？父母户口不在一起的落在哪里？",
       ("县公安局",), ("凭出生医学证明、父母户口簿到户籍窗口办理，可随父或随母落户。",),
       answers=("已告知来电人：凭出生医学证明和户口簿到派出所户籍窗口办理，可随父或随母落户。",)),
    _t("policy", "complaint",
       "父亲的养老金已经{m}个月没有发放到账，请查明原因。",
       ("县人社局",), ("经查系银行账户信息变更导致发放失败，已补发到账。",),
       wrong=("县民政局",)),
    _t("policy", "consultation",
       "外出务工人员的新农合如何参保缴费？在外地看病怎样报销？",
       ("县卫计局",), ("可委托家人在村里代缴，异地就医凭发票、病历回县农合办报销。",),
       answers=("已告知来电人新农合代缴方式和异地就医报销材料。",)),
    _t("policy", "suggestion",
       "建议简化医保手续办理流程，异地就医报销跑了好几趟。",
       ("县人社局",), ("感谢建议，我局正在推行异地就医直接结算，减少群众跑腿。",),
       co=("县卫计局",)),
    _t("policy", "consultation",
       "从外县迁入{town}落户，户籍迁移需要准备哪些材料？",
       ("县公安局",), ("需准迁证、原户口簿、身份证及房产或投靠证明，到派出所办理。",),
       answers=("已告知来电人户籍迁入所需材料及办理地点。",)),
    _t("policy", "consultation complaint",
       "{town}低保评定不公开，家里困难却评不上，想咨询低保申请条件。",
       ("县民政局",), ("已告知低保申请条件和程序，并督促该镇对低保评定进行公示。",),
       co=(TOWN_GOV,), wrong=(TOWN_GOV,)),
    # --- housing -------------------------------------------------------------
    _t("housing", "complaint",
       "欣积福湾商品房交房后墙体开裂、屋顶渗水，开发商拒不维修。",
       ("县住建局",), ("已组织质监站现场鉴定，责令开发商在保修期内限期维修。",),
       co=("易俗河镇人民政府",)),
    _t("housing", "consultation",
       "买的二手房想办理过户和房产证，需要哪些材料，税费怎么算？",
       ("县国土资源局",),
       ("凭买卖合同、双方身份证和原权属证书到不动产登记中心办理，税费按评估价计征。",),
       answers=("已告知来电人到不动产登记中心办理过户所需材料和税费标准。",)),
    _t("housing", "complaint help",
       "{community}小区交房{n}年了还办不了房产证，开发商一直推脱，请督促。",
       ("县国土资源局",), ("已约谈开发商，督促其补齐资料，预计下月集中办证。",),
       co=("县住建局",), wrong=("县住建局",)),
    _t("housing", "complaint",
       "{community}小区物业管理差，电梯经常坏，楼道卫生无人打扫，费用却照收。",
       ("县住建局",), ("已约谈物业公司，责令限期整改，电梯已维修并通过检验。",),
       co=(TOWN_GOV,), wrong=(TOWN_GOV,)),
    _t("housing", "complaint report",
       "{community}物业公司私自占用小区公共区域出租停车位，业主意见很大。",
       ("县住建局",), ("经查物业公司行为违规，已责令停止出租，收益归全体业主。",),
       wrong=("县城管局",)),
    _t("housing", "consultation",
       "请问房产证加名需要什么手续？",
       ("县国土资源局",), ("夫妻加名凭结婚证、身份证、原证到不动产登记中心办理。",),
       answers=("已告知来电人加名所需材料。",)),
    # --- agriculture ---------------------------------------------------------
    _t("agriculture", "complaint help",
       "{town}{village}村干部要求村民种植的稻谷现无人收购，{detail}。",
       (TOWN_GOV,), ("镇农技站已联系粮食收购企业上门收购，并提供市场信息。",),
       co=("县农业局",), wrong=("县农业局",)),
    _t("agriculture", "complaint",
       "今年在{town}农资店买的水稻种子出苗率很低，{detail}，请调查。",
       ("县农业局",), ("已对该批次种子抽样送检，确认质量问题，督促经销商赔偿农户损失。",),
       co=(TOWN_GOV,), wrong=(TOWN_GOV,)),
    _t("agriculture", "help",
       "{town}{village}晚稻遭受虫害，想请农技人员上门指导防治。",
       ("县农业局",), ("农技人员已上门指导，提供防治药剂和技术方案。",)),
    _t("agriculture", "consultation",
       "想咨询种粮补贴什么时候发放，标准是多少？",
       ("县农业局",), ("种粮补贴按核定面积发放，预计下月通过一卡通打卡到户。",),
       answers=("已告知来电人种粮补贴发放时间和标准。",)),
    _t("agriculture", "report",
       "{town}有商贩销售假种子，多户村民受损，请查处。",
       ("县农业局",), ("已联合市场监管部门查扣涉案种子，依法立案查处。",),
       co=("县公安局",)),
    # --- public security -----------------------------------------------------
    _t("public_security", "report",
       "{town}{village}有人开设赌场，每晚聚集二三十人赌博，请公安机关查处。",
       ("县公安局",), ("已依法查处，收缴赌资，行政拘留{n}人。",), co=(TOWN_GOV,)),
    _t("public_security", "complaint help",
       "{community}小区附近治安差，最近多户居民家中被盗，请加强巡逻。",
       ("县公安局",), ("已加强该片区夜间巡逻，并指导小区完善监控设施。",), co=("县住建局",)),
    _t("public_security", "report help",
       "{town}{road}晚上经常有人聚众斗殴，治安状况堪忧，请派出所加强管理。",
       ("县公安局",), ("派出所已加强夜间巡逻，依法处理滋事人员。",), urgent_ok=True),
    # --- other ---------------------------------------------------------------
    _t("other", "suggestion",
       "建议在{town}设立便民服务点，方便老人就近办理各类证件。",
       (TOWN_GOV,), ("感谢建议，镇便民服务中心已开设老年人代办窗口。",)),
    _t("other", "help",
       "{town}{village}一户村民家中遭遇火灾，生活困难，请求救助。",
       ("县民政局",), ("已发放临时救助金并安排过渡住房，纳入危房改造计划。",),
       co=(TOWN_GOV,), wrong=(TOWN_GOV,), urgent_ok=True),
    _t("other", "consultation",
       "请问残疾证怎么办理，需要去哪里鉴定？",
       ("县民政局",), ("到县残联申请，在指定医院鉴定后办理。",),
       answers=("已告知来电人到县残联申请并在指定医院鉴定。",)),
    _t("other", "praise",
       "{town}干部多次上门帮扶我们困难家庭，特此表扬。",
       (TOWN_GOV,), ("感谢群众的认可。",)),
)

_SAMPLE_FILL: dict[str, object] = {
    "town": TOWNSHIPS[0], "village": VILLAGES[0], "road": ROADS[0], "community": COMMUNITIES[0],
    "school": SCHOOLS[0], "hospital": HOSPITALS[0], "detail": DETAILS[0], "n": 3, "m": 2,
    "fee": 300,
}


def _is_clean(t: Template) -> bool:
    # Fillers are keyword-free (tested), so one rendering tells for all.
    found = keyword_topics(t.text.format_map(_SAMPLE_FILL))
    return found == ({t.topic} if t.topic != "other" else set())


TEMPLATES: tuple[Template, ...] = tuple(
    Template(t.topic, t.categories, t.text, t.leads, t.replies, t.co_units, t.wrong, t.answers,
             t.urgent_ok, t.topicless, t.topicless and _is_clean(t))
    for t in _RAW
)

# Which topics a channel hears most about (weights, seed section 三).
PLATFORM_TOPIC_WEIGHTS: dict[str, int] = {
    "education": 14, "roads_traffic": 14, "environment": 14, "water_power": 16,
    "admin_efficiency": 10, "urban_construction": 10, "policy": 8, "housing": 6,
    "agriculture": 4, "public_security": 4, "other": 3,
}
CONDUCT_TOPIC_WEIGHTS: dict[str, int] = {
    "education": 4, "roads_traffic": 12, "environment": 5, "water_power": 4,
    "admin_efficiency": 8, "urban_construction": 14, "policy": 22, "housing": 16,
    "agriculture": 3, "public_security": 3, "other": 3,
}

CONTRIBUTIONS: tuple[str, ...] = (
    "我单位已派员到现场配合核查，情况属实，同意牵头单位的处理意见。",
    "已配合牵头单位开展联合检查，相关情况已书面反馈。",
    "本单位职责范围内的事项已落实到位，请牵头单位统一答复。",
    "已参加牵头单位组织的现场协调会，我单位负责的部分将在本周内完成。",
    "经核查，涉及我单位的问题已整改，整改照片已发牵头单位。",
)
RETURN_REASONS: tuple[str, ...] = (
    "该事项不属于我单位职责范围，应由{right}负责处理，请重新交办。",
    "经核实，该事项属{right}管辖，非我单位职能，申请退回。",
    "交办单位有误，该问题应由{right}承办。",
)
PINGPONG_REASONS: tuple[str, ...] = (
    "该问题涉及{other}的职责，我单位无法单独办理，申请退回重新协调。",
    "经现场核实，主要责任在{other}，请热线办协调明确牵头单位。",
)
EXTEND_REASONS: tuple[str, ...] = (
    "涉及多个部门，需进一步协调。",
    "需现场勘查并委托第三方检测，申请延期。",
    "需报县政府研究，申请延期答复。",
    "工程量较大，需要施工周期。",
)
REOPEN_REASONS: tuple[str, ...] = (
    "回访时群众表示问题仍未解决，对答复不满意。",
    "群众反映承办单位未到现场核实，答复与实际不符。",
    "群众称整改未落实，要求重新办理。",
)
SECOND_REPLIES: tuple[str, ...] = (
    "接到重办件后，我单位负责人带队再次到现场核查，问题已整改到位，并当面向群众作了解释。",
    "经重新核查，已落实整改措施，并与来电人电话沟通，取得理解。",
    "重办后已约见当事人面对面沟通，相关问题已按承诺办理完毕。",
)
# Why a case is closed without callback, by how it came in.
WAIVE_REASONS: dict[str, str] = {
    "mailbox": "匿名来信，无联系方式，无法回访。",
    "hotline": "诉求人匿名且未留联系电话，免于回访。",
}
GENERIC_ANSWERS: tuple[str, ...] = (
    "已当场告知来电人相关政策和办理流程，来电人表示清楚。",
)


def pick_name(rng: random.Random) -> str:
    """A masked name (罗某某): the demo never invents a real-looking person."""
    return rng.choice(SURNAMES) + rng.choice(("某某", "某某", "某"))


def pick_phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def fill(rng: random.Random, town: str) -> dict[str, object]:
    """Random values for every placeholder a template may use."""
    return {
        "town": town,
        "village": rng.choice(VILLAGES),
        "road": rng.choice(ROADS),
        "community": rng.choice(COMMUNITIES),
        "school": rng.choice(SCHOOLS),
        "hospital": rng.choice(HOSPITALS),
        "detail": rng.choice(DETAILS),
        "n": rng.randint(2, 6),
        "m": rng.randint(2, 4),
        "fee": rng.choice((200, 300, 450, 600, 800)),
    }


@lru_cache(maxsize=256)
def town_named_in(text: str) -> str | None:
    """The township a template names literally (then the case's `township`
    must be that one), by its full name or its stem (易俗河城区 -> 易俗河镇)."""
    best: tuple[int, str] | None = None
    for town in TOWNSHIPS:
        pos = text.find(town[:-1])
        if pos >= 0 and (best is None or pos < best[0]):
            best = (pos, town)
    return best[1] if best else None
