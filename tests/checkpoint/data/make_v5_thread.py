"""How ``v5_thread.db`` and ``v5_thread.json`` were made, kept for the record.

Run once with the last release writing schema version 5 (commit 9a8585e), from a checkout
of it: ``python make_v5_thread.py v5_thread.db v5_thread.json``. The same threads as
``make_v4_thread.py`` writes, with LangChain's messages loaded, so the messages are stored
in LangChain's form (deflated with ``DICTIONARY_4``, before ``DICTIONARY_6`` knew that form).
Not collected by pytest (no ``test_`` name).
"""

import sys

import langchain_core.messages  # noqa: F401
from make_v4_thread import main

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
