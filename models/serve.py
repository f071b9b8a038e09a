"""Run llama-cpp-python's OpenAI-compatible server with this build's CPU backends loaded.

    python -m models.serve --model FILE.gguf --host 127.0.0.1 --port 8080

For offices that share one model server, and for the tests of the endpoint backend. The server
imports llama_cpp itself, so the portable CPU variants must be registered first.
"""

from models.backends import ensure_cpu_backends

if __name__ == "__main__":
    ensure_cpu_backends()
    from llama_cpp.server.__main__ import main

    main()
