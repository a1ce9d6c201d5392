"""Keyword tokens: Chinese words and bigrams, script folding, English words, stopwords."""

from __future__ import annotations

from govpilot.retrieval.tokenize import keyword_tokens


def test_whitespace_free_chinese_gets_words_and_marked_bigrams() -> None:
    tokens = keyword_tokens("數字政策辦公室")
    assert "数字" in tokens and "政策" in tokens  # jieba words (script-folded)
    assert "#数字" in tokens and "#字政" in tokens  # every bigram, in its own namespace
    assert all(" " not in t for t in tokens)


def test_modes() -> None:
    assert keyword_tokens("香港政府", "bigram") == ["香港", "港政", "政府"]
    words = keyword_tokens("香港政府", "jieba")
    assert "香港" in words and "政府" in words and not any(t.startswith("#") for t in words)


def test_traditional_and_simplified_queries_give_the_same_tokens() -> None:
    assert keyword_tokens("衞生署的資料") == keyword_tokens("卫生署的资料")
    assert keyword_tokens("數字政策辦公室") == keyword_tokens("数字政策办公室")


def test_english_is_lower_cased_numbers_kept_stopwords_and_punctuation_dropped() -> None:
    assert keyword_tokens("The Housing Authority, in 2024: what's NEW?") == [
        "housing",
        "authority",
        "2024",
        "new",
    ]


def test_full_width_forms_are_normalised() -> None:
    assert keyword_tokens("ＨＫＩＤ １２３") == ["hkid", "123"]


def test_mixed_text_and_numbers_next_to_han() -> None:
    tokens = keyword_tokens("1786年2月2日在加爾各答 COVID-19 疫苗")
    assert "1786" in tokens and "covid" in tokens and "19" in tokens
    assert "疫苗" in tokens
    assert not any(t.isdigit() and len(t) > 4 for t in tokens)


def test_chinese_function_words_are_dropped_but_bigrams_keep_them() -> None:
    tokens = keyword_tokens("甚麼是公屋的申請資格", "jieba")
    assert "的" not in tokens and "是" not in tokens
    assert "公屋" in tokens or "公" in tokens
    assert keyword_tokens("", "jieba+bigram") == []
    assert keyword_tokens("，。！？") == []
