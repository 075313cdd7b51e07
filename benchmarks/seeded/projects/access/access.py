def can_edit(user, doc):
    return user["active"] or (user["admin"] or doc["owner"] == user["name"])
