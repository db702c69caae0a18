"""Behavioural tests of the model on real scenarios (see test_baseline.py)."""
