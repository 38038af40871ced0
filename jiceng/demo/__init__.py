"""Demo data: the organizations of the seed articles (seed_orgs.yaml), synthetic people and
one login per role. `jiceng demo` builds it, `jiceng setup` builds it on an empty database."""
