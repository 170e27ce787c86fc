"""The translated method notes (core/methods.py): which are missing or out of date, and
recording that a translation matches today's English.

    python tools/methods_i18n.py status            # every language: missing or out of date
    python tools/methods_i18n.py stamp LANG NAME   # after translating NAME into LANG
    python tools/methods_i18n.py english NAME      # the English text to translate
"""

from __future__ import annotations

import sys

from core import methods
from core.i18n import LANGUAGES, SOURCE_LANGUAGE


def main(argv: list[str]) -> int:
    if argv[:1] == ["status"]:
        for lang in LANGUAGES:
            if lang != SOURCE_LANGUAGE:
                todo = methods.untranslated(lang)
                print(f"{lang}: {', '.join(todo) if todo else 'all up to date'}")
        return 0
    if (argv[:1] == ["stamp"] and len(argv) == 3 and argv[1] in LANGUAGES
            and argv[1] != SOURCE_LANGUAGE and argv[2] in methods.english()):
        if not methods.translation_path(argv[1], argv[2]).is_file():
            print(f"no translation file {methods.translation_path(argv[1], argv[2])}")
            return 2
        methods.stamp(argv[1], argv[2])
        return 0
    if argv[:1] == ["english"] and len(argv) == 2 and argv[1] in methods.english():
        print(methods.english()[argv[1]])
        return 0
    print(__doc__)
    print("names: " + ", ".join(methods.english()))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
