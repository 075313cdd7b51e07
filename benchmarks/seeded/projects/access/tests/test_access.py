from access import can_edit

def test_owner():
    assert can_edit({'active': True, 'admin': False, 'name': 'a'}, {'owner': 'a'})
