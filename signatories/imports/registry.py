"""Which resource reads which kind of file: each app that owns a model registers its resource from
its AppConfig.ready(), so the engine finds delivery's targets without importing delivery."""

_resources = {}


def register(kind, resource_class):
    """Make `kind` (an ImportJob.Kind value, or an export kind) importable with `resource_class`."""
    _resources[kind] = resource_class
    return resource_class


def resource_class(kind):
    """The resource registered for `kind`; KeyError if no installed app registered it."""
    return _resources[kind]


def kinds():
    return dict(_resources)


def option_choices(option):
    """The choices an option takes for the resources that declare it (e.g. the register's mandate)."""
    return [
        choice
        for resource in _resources.values()
        for choice in resource.option_choices.get(option, ())
    ]
