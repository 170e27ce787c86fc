"""README's configuration table lists every setting core/settings.py documents."""

import re

from core import paths, settings

ROW = r"^\| `?(GREENPRINT_\w+)`? \|"


def test_every_documented_setting_is_in_the_readme():
    documented = set(re.findall(ROW, settings.__doc__, re.M))
    in_readme = set(re.findall(ROW, (paths.ROOT / "README.md").read_text(), re.M))
    assert len(documented) > 20
    assert documented - in_readme == set(), "add these settings to README.md's Configuration"
