"""The local provider's password hash: scrypt, with a smaller work factor than Django's default, so that the
provider creates its few people in a fraction of a second at every start (its passwords are printed demo and
test passwords; a city's provider is its own)."""

from django.contrib.auth.hashers import ScryptPasswordHasher


class ProviderScryptPasswordHasher(ScryptPasswordHasher):
    algorithm = "scrypt-provider"
    work_factor = 2**12
