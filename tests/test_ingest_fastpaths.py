"""The quick paths of the parse worker give the same results as the plain rules they
stand in for (issue 19, speed): each is checked against the plain form on generated
input, so a change to one side alone fails here."""

from __future__ import annotations

import random
import re
import unicodedata

from weerbaar.ingest import layout, normalize, passages, woo
from weerbaar.ingest.passages import Block, assemble_page, build_passages

RNG_SEED = 19


def _strings(alphabet: list[str], n: int, longest: int, seed: int = RNG_SEED) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(n)]


def test_sentences_fast_pattern_same_spans_as_lazy_pattern() -> None:
    alphabet = [*"ab AZé.!?…\t1", " de", " Het", "e.d.", "...", "?!"]
    texts = _strings(alphabet, 20_000, 18)
    texts.append("De gemeente oefent. Het college plant! Nog iets… en verder? Klaar")
    for text in texts:
        fast = [m.span() for m in passages._SENTENCE_FAST.finditer(text)]
        lazy = [m.span() for m in passages._SENTENCE.finditer(text)]
        assert fast == lazy, text
    # text with a line break keeps the lazy pattern ("$" before a final newline)
    with_break = "Een zin zonder einde\n"
    assert passages._pieces(with_break, 0, 200, 6000) == [(0, len(with_break) - 1, 4)]


def test_woo_code_pattern_same_as_lookbehind_in_front() -> None:
    plain = re.compile(r"(?<![\w.])(?:5\.1\.[12][a-i¢€8]|10\.[12][a-h])(?![\w])")
    texts = _strings([*"5.1210aeh€8x _\n", "5.1.2e", "10.2a"], 20_000, 16)
    texts += ["5.1.2e", "a5.1.2e", ".5.1.2e", "(5.1.2e)", "110.2a", "10.2a_", "1.0.2a 10.1h"]
    for text in texts:
        assert woo._CANONICAL.findall(text) == plain.findall(text), text
    assert len(woo._CANONICAL.findall("zie 5.1.2e en 10.2g; niet 5.1.2ex of 3.5.1.2e")) == 2


def test_numeric_line_counts_as_the_regexes() -> None:
    def plain(text: str) -> bool:
        if not re.findall(r"\d", text):
            return False
        letters = len(re.findall(r"[^\W\d_]", text))
        return letters <= 0.3 * len(re.findall(r"\S", text))

    alphabet = [chr(i) for i in range(128)] + list("€éë\u00a0٣")
    for text in _strings(alphabet, 20_000, 20):
        assert layout.numeric_line(text) == plain(text), repr(text)
    assert layout.numeric_line("€ 7.119 3%") and not layout.numeric_line("Riolering 2024")


def test_figure_cells_end_in_a_known_character() -> None:
    """_trailing_figures rejects a word by its last character before the regex: every
    single character the figure pattern accepts must pass that test."""
    for code in range(0x3000):
        ch = chr(code)
        if layout._FIGURE.match(ch):
            assert ch.isdecimal() or ch in layout._FIGURE_LAST, hex(code)
    for word in ("12%", "(1.548)", "-2.220", "n.v.t.", "€", "x", "–", "1,5"):
        assert layout._FIGURE.match(word) and (
            word[-1].isdecimal() or word[-1] in layout._FIGURE_LAST
        )
    assert layout.is_row("Riolering 1.548 1.517") and not layout.is_row("in 2024 en 2025")


def test_clean_chars_quick_path_same_as_all_steps() -> None:
    def plain(text: str) -> str:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
        text = text.replace("\x02", "\u00ad")
        text = normalize._DROP.sub("", text)
        text = normalize._SURROGATES.sub("\ufffd", text)
        if not unicodedata.is_normalized("NFC", text):
            text = normalize._DROP.sub("", unicodedata.normalize("NFC", text))
        text = text.replace("\ufffe", "\u00ad")
        return normalize._SPACES_TO_FIX.sub(" ", text)

    alphabet = list(
        "ab Aé \n\t\r\f\x02\x00\x1c\x85\u00a0\u2003\u200b\u202e\ufeff\ufffe\u0301e\u3000"
    )
    alphabet.append("\ud800")
    for text in _strings(alphabet, 30_000, 12):
        assert normalize.clean_chars(text) == plain(text), repr(text)


def test_passage_words_are_whitespace_words_of_their_text() -> None:
    """Word counts of merged passages are summed across the whitespace between them;
    each must still be the number of words of the passage's own text."""
    rng = random.Random(RNG_SEED)
    vocab = ["de", "gemeente", "oefent.", "Riolering", "1.548", "Het", "plan!", "noodstroom"]
    pages = []
    for p in range(6):
        blocks = []
        for _ in range(rng.randint(1, 12)):
            kind = rng.choice(["tekst", "tekst", "lijst", "tabel", "kop"])
            words = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 60)))
            blocks.append(Block(words, kind, level=1 if kind == "kop" else 0, group=p))
        pages.append(assemble_page(blocks))
    doc_text, found = build_passages(pages, min_words=40, max_words=120)
    assert found
    for passage in found:
        assert passage.words == len(passage.text.split())
        assert doc_text[passage.char_start : passage.char_end] == passage.text
    counter = passages._Words("a b\n\nc d e\n\n\nf")
    assert counter.union((0, 3, "tekst", None), (5, 10, "tekst", None)) == 5
    assert counter.union((5, 10, "tekst", None), (0, 3, "tekst", None)) == 5
    assert counter.union((0, 7, "tekst", None), (5, 14, "tekst", None)) == 6  # overlapping
