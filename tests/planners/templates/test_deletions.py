from tests.planners.templates.helpers import dedent, line_of, patched

DEPRECATED = """
def namedtuple(name, fields, repr=None):
    if repr is not None:
        warnings.warn(
            "The 'repr' parameter is deprecated",
            DeprecationWarning,
        )
    return make(name, fields)
"""


def test_an_if_block_deleted_at_its_header_as_typing_extensions_404b33b9():
    fixed = dedent("""
    def namedtuple(name, fields, repr=None):
        return make(name, fields)
    """)
    assert fixed in patched(DEPRECATED, line_of(DEPRECATED, "if repr"), "delete_block")


def test_a_lone_block_leaves_pass_as_virtualenv_269599a7():
    src = """
    try:
        os.lstat(path)
    except OSError:
        if spec.is_abs:
            raise
    """
    fixed = dedent("""
    try:
        os.lstat(path)
    except OSError:
        pass
    """)
    assert fixed in patched(src, line_of(src, "if spec"), "delete_block")


CHAIN = """
def spawn(cmd):
    if os.name == 'posix':
        _spawn_posix(cmd)
    elif os.name == 'os2':
        _spawn_os2(cmd)
    elif os.name == 'nt':
        _spawn_nt(cmd)
    else:
        raise Error(cmd)
"""


def test_an_elif_branch_deleted_keeps_the_branches_after_it_as_setuptools_a42e746a():
    fixed = dedent(CHAIN).replace("    elif os.name == 'os2':\n        _spawn_os2(cmd)\n", "")
    assert fixed in patched(CHAIN, line_of(CHAIN, "'os2'"), "delete_block")


def test_an_else_branch_deleted():
    fixed = dedent(CHAIN).replace("    else:\n        raise Error(cmd)\n", "")
    assert fixed in patched(CHAIN, line_of(CHAIN, "else:"), "delete_block")


RETRY = """
async def request(options):
    try:
        return await send(options)
    except httpx.ReadTimeout as err:
        raise
    except httpx.TimeoutException as err:
        return await retry(options)
"""


def test_an_except_clause_deleted_beside_another_as_openai_b607e20a():
    fixed = dedent(RETRY).replace("    except httpx.ReadTimeout as err:\n        raise\n", "")
    assert fixed in patched(RETRY, line_of(RETRY, "ReadTimeout"), "delete_block")


def test_the_only_except_clause_is_not_deleted():
    src = RETRY.replace("    except httpx.TimeoutException as err:\n        return await retry(options)\n", "")
    assert patched(src, line_of(src, "ReadTimeout"), "delete_block") == []
