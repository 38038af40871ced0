"""What the training app offers core (`core.registry`); run from `ready()`."""


def register() -> None:
    pass
