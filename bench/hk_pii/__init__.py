"""The pieces of the Hong Kong PII benchmark set; bench/make_hk_pii.py puts them together."""
