"""What kind of ask a text makes and whose side it tells, from the words the tokenizer drops as
function words (我把…打了, 被…撞了, 好多, 归哪个, 判了). The reranker compares a message's cues
with those of an entry's own title and paraphrases; nothing here names an entry."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# The kind of answer asked for: read from the ask of a message.
ASKS = {
    "amount": r"好多|多少|几年|几个月|多久|好久|多长|标准|咋个?算|怎么算|赔好多|几倍|判几",
    "where": r"哪里|哪儿|哪个部门|找哪|找谁|哪个管|去哪|电话|投诉|哪个法院|在哪|哪个单位",
    "legality": r"合法|违法|犯法|算不算|是不是|有效|算数|犯罪|犯不犯|对不对|有没有罪|正常不|认不认",
    "can": r"能不能|可不可以|可以不|能否|行不行|有没有(份|权)|能.{0,10}不$|可以.{0,10}吗$",
    "howto": r"怎么(弄|做|整|申请|起诉|告|要|办理)|咋个?(整|搞|弄|申请|起诉|告|要)|如何|流程|手续|程序|步骤",
    "whose": r"归哪个|归谁|判给|跟哪个|跟谁|哪个出|谁出|谁负责|谁来|哪个负责|哪个赔|谁赔|算哪个|该哪个",
    "consequence": r"会不会|会怎|会咋|后果|影响|留案底|记录|坐牢|拘留|判刑",
}
# Who is asking and where the matter stands: read from the whole message.
SIDES = {
    "did_it": r"我(不小心|开车|骑车|喝酒)?(撞|打|砍|捅|偷|骗|砸)|(把|将)(人|别人|人家|他|她|对方|女朋友|老婆|邻居).{0,6}(打|撞|砍|捅|弄伤|砸)|自首|被抓|被拘|肇事",
    "victim": r"被(人|车|他|她|对方|狗|别人)?.{0,4}(打|撞|咬|骗|偷|抢|砍|伤|欺负)|(撞|打|咬|骗|砍)(了|到|伤)?我|把我.{0,4}(打|撞|骗|咬)",
    "employer": r"我是老板|我是(开|做)|我开(了)?(个|家)?(厂|店|公司|农家乐|餐馆|饭馆)|请了(个|几个)?(人|工|师傅|大姐|小工)|雇(了|的)|我的工人|员工|帮我干活|用人单位",
    "worker": r"老板|工资|打工|上班|工地|工头|包工头|工钱|辞退|开除",
    "judged": r"判(了|决|下来)|已经判|赢了|胜诉|调解书|裁决|答应(赔|给|还)|签了(字|协议)|执行|判给",
    "landlord": r"房东|租给|出租",
    "tenant": r"租房|房客|租客|押金|我租",
    "seller": r"我卖|卖给|顾客|买家",
    "buyer": r"买(的|了|到)|商家|卖家|网购|退货|退款",
    "minor": r"未成年|(?<![0-9])1[0-7]岁|十[一二三四五六七]岁|[六七八九十]岁|娃儿|孩子|小学|初中|学生",
    "elder": r"老人|老汉|老母亲|[六七八九]十(多)?岁|老年|养老",
    "spouse": r"老公|老婆|丈夫|妻子|婆娘|男人|媳妇|离婚|结婚|前夫|前妻",
}
_ASKS = {name: re.compile(p) for name, p in ASKS.items()}
_SIDES = {name: re.compile(p) for name, p in SIDES.items()}
NAMES = (*ASKS, *SIDES)


def asks(text: str) -> tuple[bool, ...]:
    """Per kind of ask, whether the (normalised) text makes it."""
    return tuple(bool(p.search(text)) for p in _ASKS.values())


def sides(text: str) -> tuple[bool, ...]:
    return tuple(bool(p.search(text)) for p in _SIDES.values())


def sides_told(texts: Sequence[str]) -> np.ndarray:
    """Per text, whether it tells each side or stage, as [sides(t) for t in texts] gives it:
    each pattern reads the texts once, joined by line breaks, which no pattern matches or
    crosses; a text tells the side if some match starts inside it."""
    ends = np.cumsum([len(t) + 1 for t in texts])
    joined = "\n".join(texts)
    at, kinds = [], []
    for j, pattern in enumerate(_SIDES.values()):
        for match in pattern.finditer(joined):
            at.append(match.start())
            kinds.append(j)
    found = np.zeros((len(texts), len(_SIDES)), dtype=bool)
    found[np.searchsorted(ends, at, side="right"), kinds] = True
    return found


def side_shares(texts: Sequence[str]) -> np.ndarray:
    """Share of `texts` telling each side or stage."""
    return sides_told(texts).mean(axis=0)
