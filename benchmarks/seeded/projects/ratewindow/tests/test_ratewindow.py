from ratewindow import Window

def test_first():
    assert Window(1).allow()
