from changemaker import split_cents

def test_round_hundred():
    assert split_cents(100) == (1, 0)
