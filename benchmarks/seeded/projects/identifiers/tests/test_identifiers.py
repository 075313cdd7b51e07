from identifiers import is_identifier

def test_basic():
    assert is_identifier('abc1')
    assert not is_identifier('1abc')
    assert not is_identifier('a-b')
