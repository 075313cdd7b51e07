from clock import to_seconds

def test_minutes():
    assert to_seconds('0:02:05') == 125
