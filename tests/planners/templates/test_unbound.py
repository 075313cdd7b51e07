from tests.planners.templates.helpers import dedent, patched

SRC = """
import os
from .connection import HTTPException


def read(fp):
    try:
        return fp.read()
    except (HTTPException, BaseSSLError) as err:
        raise OSError(err)
"""


def test_an_import_given_the_name_the_file_reads_as_urllib3_08696776_fixed_the_response():
    fixed = dedent(SRC).replace("import HTTPException\n", "import HTTPException, BaseSSLError\n")
    assert fixed in patched(SRC, 2, "import_unbound")
    assert fixed in patched(SRC, 8, "import_unbound")  # at the line that reads it, too
    assert patched(SRC.replace("BaseSSLError", "OSError"), 2, "import_unbound") == []


def test_no_name_is_unbound_under_a_star_import():
    assert patched(SRC.replace("import os\n", "from socket import *\n"), 2, "import_unbound") == []


def test_a_standard_module_imported_as_wrapt_81e428dd_imported_sys():
    src = "import os\n\n\ndef version():\n    return sys.version_info[:2]\n"
    out = patched(src, 1, "import_module")
    assert "import sys\nimport os\n" + src[len("import os\n") :] in out
    assert "import os\nimport sys\n" + src[len("import os\n") :] in out
    assert "import os\nimport sys\n" + src[len("import os\n") :] in patched(src, 5, "import_module")
