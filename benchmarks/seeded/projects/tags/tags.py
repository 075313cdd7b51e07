def find(post, tag):
    return [t for t in post["tags"] if t == tag]


def has_tag(post, tag):
    matches = find(post, tag)
    return matches
