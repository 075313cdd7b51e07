from paging import page_count

def test_count():
    assert page_count(21, 10) == 3
