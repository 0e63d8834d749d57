"""Tokenisation with pufa's own jieba instance, synonyms and pinyin homophones."""

from __future__ import annotations

import logging
import math
import re
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache

import jieba
from pypinyin import Style
from pypinyin.constants import PHRASES_DICT
from pypinyin.converter import DefaultConverter
from pypinyin.core import Pinyin
from pypinyin.seg.mmseg import seg as _PHRASES

from .normalize import normalize

# Function words and question phrasings that say nothing about the legal topic.
_STOPWORD_TEXT = """
    的 了 吗 嘛 呢 啊 呀 吧 哦 噢 哈 嗯 哎 唉 啦 咯 嘞 喔 么 哒 滴 得
    地 着 过 把 给 被 让 跟 和 与 及 或 或者 我 我们 你 你们 您 他 她 它
    他们 她们 咱 咱们 人家 自己 我家 你家 他家 我屋 屋头 屋里 家里 别人 别个
    这 那 这个 那个 这样 那样 这种 那种 哪 哪个 哪些 是 在 有 就 都 也 还
    又 再 才 很 太 更 最 能 会 要 想 可以 可能 应该 应当 需要 得到 一 一个
    一下 一些 个 怎么 怎么办 怎么样 怎样 怎么回事 咋 咋办 咋个 咋个办 咋个整
    咋整 哪门 哪门办 啷个 啷个办 如何 什么 啥 啥子 么子 为什么 为啥 请问 问
    问下 问一下 想问 请教 咨询 谢谢 麻烦 你好 您好 如果 假如 但是 可是 因为
    所以 然后 而且 现在 已经 今天 昨天 明天 时候 事 事情 情况 问题 方面 东西
    说 讲 告诉 知道 晓得 看 看看 算 算不算 是不是 办 搞 弄 整 做 干 不 没
    没有 莫得 行不行 能不能 可不可以 有没有 要不要 该 该怎么 该咋办 哇 撒 噻 哟
    咧
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_DIGITS = re.compile(r"\d+")
_CLAUSES = re.compile(r"[\s,.!?;:，。！？；：、…~]+")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
CLAUSE_MEMORY = 4096  # segmented clauses kept per tokenizer


# Sounds that pinyin input and southwestern speech mix up (模糊音): zh/z, ch/c, sh/s, n/l,
# and -ng/-n finals. 起述状 and 起诉状, 牛/刘 or 冷静/冷净 then sound alike.
_FUZZY_SOUNDS = (
    (re.compile(r"^([zcs])h"), r"\1"),
    (re.compile(r"^n(?!g)"), "l"),
    (re.compile(r"(?<=[aeio])ng$"), "n"),
)


_HANS_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")  # within pypinyin's RE_HANS
_CONVERTER = DefaultConverter()
_PINYIN = Pinyin(_CONVERTER)


@lru_cache(maxsize=65536)
def _word_syllables(word: str) -> tuple[str, ...]:
    """What lazy_pinyin gives for one of its segments, with the sounds people mix up merged."""
    syllables = [
        s
        for reading in _CONVERTER.convert(word, Style.NORMAL, False, "default", strict=True)
        for s in reading
    ]
    for pattern, repl in _FUZZY_SOUNDS:
        syllables = [pattern.sub(repl, s) for s in syllables]
    return tuple(syllables)


def fuzzy_syllables(text: str) -> list[str]:
    """lazy_pinyin(text), fuzzed: pypinyin segments the text into its phrases (which decide
    polyphones) and converts each on its own, so the conversion is cached by segment. A text
    of Chinese characters only is one run to pypinyin, which it cuts into phrases at once."""
    words = _phrases(text) if _HANS_ONLY.fullmatch(text) else _PINYIN.seg(text)
    return [s for word in words for s in _word_syllables(word)]


def _phrases(text: str) -> list[str]:
    """pypinyin's cut of Chinese text into its phrases (mmseg.Seg.cut, strict: forward
    maximum matching over its phrase list), by position rather than on shrinking copies."""
    prefixes, out, at = _PHRASES._prefix_set._set, [], 0
    while at < len(text):
        end = valid = at  # how far the text stays a phrase's prefix, and the longest phrase
        while end < len(text) and text[at : end + 1] in prefixes:
            end += 1
            if text[at:end] in PHRASES_DICT:
                valid = end
        if valid > at:
            out.append(text[at:valid])
            at = valid
        elif end < len(text):
            out.append(text[at])
            at += 1
        else:  # the rest is a prefix but holds no phrase: one character at a time
            out.extend(text[at:])
            break
    return out


@lru_cache(maxsize=65536)
def pinyin_key(term: str) -> str:
    """Toneless pinyin of a word, with the sounds people mix up merged: 留转 and 流转 both
    give liuzuan, and so does 刘转."""
    return "".join(fuzzy_syllables(term))


class LegalTokenizer:
    """Segments text the same way for index and query, adding legal terms for synonyms."""

    def __init__(self, words: Iterable[str], synonyms: Mapping[str, str]) -> None:
        self._jieba = _everyday_jieba()
        self._synonyms = {normalize(k): normalize(v) for k, v in synonyms.items() if normalize(k)}
        self.legal_terms = frozenset(
            w
            for w in {*map(normalize, set(words)), *self._synonyms, *self._synonyms.values()}
            if len(w) >= 2
        )
        # How common a word is in everyday Chinese, taken before our own words are added.
        self._total = float(self._jieba.total)
        self._everyday = {w: self._jieba.FREQ.get(w, 0) for w in self.legal_terms}
        for word in self.legal_terms:
            self._jieba.add_word(word, freq=50000)
        # The colloquial words by their first character, longest first: what a regex of them
        # all, longest first, finds at each position of a text.
        self._synonym_starts: dict[str, list[str]] = {}
        for key in sorted(self._synonyms, key=len, reverse=True):
            self._synonym_starts.setdefault(key[0], []).append(key)
        self._homophones: dict[str, str] = {}
        self._openings: set[str] = set()  # the first three syllables of each of those
        self._clauses: dict[str, list[str]] = {}
        self._synonym_words: dict[str, list[str]] = {}  # content words of each synonym target
        self.clause_memory = CLAUSE_MEMORY

    def __getstate__(self) -> dict[str, object]:
        """jieba's tokenizer holds a lock: store its word frequencies (with our words in
        them) instead, which load faster than jieba reads its own dictionary."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_jieba", "_clauses")}
        state["_jieba_words"] = (self._jieba.FREQ, self._jieba.total)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        stored = state.pop("_jieba_words")
        assert isinstance(stored, tuple)
        self.__dict__.update(state)
        self._jieba = jieba.Tokenizer()
        self._jieba.FREQ, self._jieba.total = stored
        self._jieba.initialized = True
        self._clauses = {}

    def forget_clauses(self) -> None:
        self._clauses = {}

    def learn_vocabulary(self, terms: Iterable[str]) -> None:
        """Remember the pinyin of index terms so a mistyped homophone can find them."""
        for term in terms:
            if 3 <= len(term) <= 6 and not term.isascii():
                syllables = fuzzy_syllables(term)
                self._homophones.setdefault(" ".join(syllables), term)
                self._openings.add(" ".join(syllables[:3]))

    def specificity(self, term: str) -> float:
        """0.3 for everyday words (做, 帮, 吃饭) up to 1.0 for rare, specific ones (宅基地)."""
        freq = self._everyday[term] if term in self._everyday else self._jieba.FREQ.get(term, 0)
        if not freq:
            return 1.0
        return min(1.0, max(0.3, (math.log(self._total / freq) - 5.0) / 7.0))

    def tokens(self, text: str) -> list[str]:
        """Content tokens of `text`, with the legal terms its colloquial words stand for."""
        # Segment clause by clause: "光，能不能" must not become 光能.
        found = [t for clause in _CLAUSES.split(text) for t in self._clause_tokens(clause)]
        return found + self.synonym_terms(normalize(text))

    def _clause_tokens(self, clause: str) -> list[str]:
        """A clause's content words, remembered: the ask of a long message is segmented again
        (focus.py), and residents repeat the same short clauses."""
        found = self._clauses.get(clause)
        if found is None:
            cut = self._jieba.lcut(normalize(clause), HMM=True)
            found = [
                sys.intern(t)  # one string object per word, however many paraphrases use it
                for i, t in enumerate(cut)
                # hotlines such as 12348 are words, but not when cut out of a phone number
                if (_is_content(t) or t in self.legal_terms) and not _inside_number(cut, i)
            ]
            if len(self._clauses) >= self.clause_memory:
                self._clauses.clear()
            self._clauses[clause] = found
        return found

    def synonym_terms(self, norm: str) -> list[str]:
        terms: list[str] = []
        starts, at, size = self._synonym_starts, 0, len(norm)
        while at < size:  # left to right, no overlaps, the first key (longest) that fits
            key = None
            for candidate in starts.get(norm[at], ()):
                if norm.startswith(candidate, at):
                    key = candidate
                    break
            if key is None:
                at += 1
                continue
            at += len(key)
            target = self._synonyms[key]
            words = self._synonym_words.get(target)
            if words is None:
                words = [t for t in self._jieba.lcut(target) if _is_content(t)] + [target]
                self._synonym_words[target] = words
            terms += words
        return list(dict.fromkeys(terms))

    def homophone_terms(self, text: str, known: set[str]) -> list[str]:
        """Index terms whose pinyin equals a window of the text that is not itself there."""
        hits: list[str] = []
        if not self._homophones:
            return hits
        for run in _CJK_RUN.findall(normalize(text)[:300]):
            syllables = fuzzy_syllables(run)
            starts = [
                s for s in range(len(run) - 2) if " ".join(syllables[s : s + 3]) in self._openings
            ]  # only windows that open like some index term can sound like one
            for size in range(3, 7):
                for start in (s for s in starts if s <= len(run) - size):
                    term = self._homophones.get(" ".join(syllables[start : start + size]))
                    said = run[start : start + size]  # 行不行 is not a mistyped 信不信
                    if term and term not in known and term not in run and said not in STOPWORDS:
                        hits.append(term)
        return list(dict.fromkeys(hits))


def _everyday_jieba() -> jieba.Tokenizer:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _inside_number(cut: list[str], i: int) -> bool:
    """Whether the word at `i` is digits cut out of a longer number (12345 in 13812345678)."""
    if not cut[i].isdigit():
        return False
    before = i > 0 and cut[i - 1][-1:].isdigit()
    return before or (i + 1 < len(cut) and cut[i + 1][:1].isdigit())


def _is_content(token: str) -> bool:
    token = token.strip()
    return bool(token) and token not in STOPWORDS and not _DIGITS.fullmatch(token)
