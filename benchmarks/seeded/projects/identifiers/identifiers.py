def is_identifier(text):
    if not text or text[0].isdigit():
        return False
    for ch in text:
        if not ch.isalnum():
            return False
    return True
