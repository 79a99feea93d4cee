"""What units and the hotline office write while handling a case: co-units'
contributions, reasons to return, extend, reopen or waive the callback,
second replies, and the office's own answers."""

from __future__ import annotations

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
