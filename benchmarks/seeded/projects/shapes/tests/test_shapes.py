from shapes import Rect

def test_area():
    assert Rect(2, 5).area() == 10
