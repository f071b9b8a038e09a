"""Commands: placeholder until written."""
