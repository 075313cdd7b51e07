from primes import is_prime

def test_small():
    assert is_prime(2)
    assert is_prime(13)
    assert not is_prime(9)
