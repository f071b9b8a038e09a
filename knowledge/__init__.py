"""Guidance bundles: build, validate, sign, install and search. Plain Python, no Qt."""
