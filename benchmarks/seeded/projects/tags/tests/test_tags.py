from tags import find

def test_find():
    assert find({'tags': ['a', 'b']}, 'a') == ['a']
