"""`@struct`: plain data classes, cheap to define.

The standard `@dataclass` writes each class's `__init__`, `__repr__`, `__eq__`, `__hash__`
and frozen `__setattr__` as source text and compiles it: about 0.6 ms a class on this
project's machines, and ipt defines some seventy such classes, ~50 of them on a cold
`ipt report` (30 ms of a ~220 ms command; docs/performance.md). `@struct` gives the subset
of dataclass behaviour ipt uses — keyword or positional construction in field order,
defaults and `field(default_factory=...)`, frozen instances, field-wise equality and
hashing, a readable repr, `replace` and `as_dict` — with shared functions and no
compilation. Type checkers treat it as a dataclass (PEP 681 `dataclass_transform`).

Not supported (ipt does not use them): inheritance between structs, `__post_init__`,
`InitVar`, `ClassVar` annotations, ordering, slots, keyword-only fields.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")
_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """An attempt to change a field of a frozen struct."""


class _Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Any) -> None:
        self.default, self.default_factory = default, default_factory


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING) -> Any:
    """A field's default, or a factory called for each new instance (for lists, dicts)."""
    return _Field(default, default_factory)


@overload
def struct(cls: type[_T], /) -> type[_T]: ...
@overload
def struct(*, frozen: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(field_specifiers=(field,))
def struct(cls: type[_T] | None = None, /, *, frozen: bool = False) -> Any:
    """Make `cls` a data class: `@struct` or `@struct(frozen=True)`."""

    def wrap(cls: type[_T]) -> type[_T]:
        return _build(cls, frozen)

    return wrap if cls is None else wrap(cls)


def _field_names(cls: type) -> tuple[str, ...]:
    """The class's own annotated names, in order, without evaluating them."""
    if sys.version_info >= (3, 14):  # PEP 649: annotations are no longer in the class dict
        # Python 3.14 only: annotationlib does not exist before
        import annotationlib

        found = annotationlib.get_annotations(cls, format=annotationlib.Format.FORWARDREF)
    else:
        found = cls.__dict__.get("__annotations__", {})
    for name, annotation in found.items():
        if "ClassVar" in str(annotation):
            raise TypeError(f"{cls.__name__}.{name}: ClassVar is not supported by @struct")
    if not found:
        raise TypeError(f"{cls.__name__}: a struct needs at least one annotated field")
    return tuple(found)


def _build(cls: type[_T], frozen: bool) -> type[_T]:
    names = _field_names(cls)
    defaults, factories = _defaults(cls, names)
    label = cls.__qualname__

    def __repr__(self: Any) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{label}({fields})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self, names) == _values(other, names)

    def __hash__(self: Any) -> int:
        return hash(_values(self, names))

    methods: dict[str, Any] = {
        "__init__": _initialiser(label, names, defaults, factories),
        "__repr__": __repr__,
        "__eq__": __eq__,
        "__match_args__": names,
        "__struct_fields__": names,
        # frozen: hashed by its fields; mutable: unhashable, as a dataclass
        "__hash__": __hash__ if frozen else None,
    }
    if frozen:
        methods["__setattr__"] = methods["__delattr__"] = _refuse_change
    for name, method in methods.items():
        setattr(cls, name, method)
    return cls


def _defaults(
    cls: type, names: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """The fields' defaults and default factories; a `field()` factory leaves the class."""
    defaults: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name in names:
        value = cls.__dict__.get(name, _MISSING)
        if isinstance(value, _Field):
            delattr(cls, name)
            if value.default_factory is not _MISSING:
                factories[name] = value.default_factory
                continue
            value = value.default  # field() alone: a required field
        if value is not _MISSING:
            if type(value).__hash__ is None:  # as dataclasses: lists, dicts, sets...
                raise TypeError(f"{cls.__name__}.{name}: a mutable default needs default_factory")
            defaults[name] = value
            setattr(cls, name, value)
        elif defaults or factories:
            raise TypeError(f"{cls.__name__}.{name}: a field without a default follows one with")
    return defaults, factories


def _initialiser(
    label: str,
    names: tuple[str, ...],
    defaults: dict[str, Any],
    factories: dict[str, Callable[[], Any]],
) -> Callable[..., None]:
    known = frozenset(names)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if not kwargs and len(args) == len(names):  # every field, in order: a long report's
            self.__dict__.update(zip(names, args, strict=True))  # points, rows are made so
            return
        if len(args) > len(names):
            raise TypeError(f"{label}() takes {len(names)} arguments but {len(args)} were given")
        if not known.issuperset(kwargs):
            unknown = sorted(set(kwargs) - known)[0]
            raise TypeError(f"{label}() got an unexpected keyword argument '{unknown}'")
        state = self.__dict__
        for index, name in enumerate(names):
            if index < len(args):
                if name in kwargs:
                    raise TypeError(f"{label}() got multiple values for argument '{name}'")
                state[name] = args[index]
            elif name in kwargs:
                state[name] = kwargs[name]
            elif name in defaults:
                state[name] = defaults[name]
            elif name in factories:
                state[name] = factories[name]()
            else:
                raise TypeError(f"{label}() missing required argument: '{name}'")

    return __init__


def _values(instance: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    state = instance.__dict__
    return tuple(state[name] for name in names)


def _refuse_change(self: Any, name: str, *value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field '{name}'")


def fields_of(instance: Any) -> tuple[str, ...]:
    """The field names of a struct, in order."""
    names: tuple[str, ...] = type(instance).__struct_fields__
    return names


def replace(instance: _T, /, **changes: Any) -> _T:
    """A copy of a struct with some fields changed (like dataclasses.replace)."""
    state = instance.__dict__
    values = {name: state[name] for name in fields_of(instance)}
    return type(instance)(**{**values, **changes})


def as_dict(instance: Any) -> dict[str, Any]:
    """A struct as a dict, structs inside it (also in lists, tuples and dicts) converted
    too (like dataclasses.asdict)."""
    return {name: _plain(instance.__dict__[name]) for name in fields_of(instance)}


def _plain(value: Any) -> Any:
    if hasattr(type(value), "__struct_fields__"):
        return as_dict(value)
    if type(value) is list:
        return [_plain(item) for item in value]
    if type(value) is tuple:
        return tuple(_plain(item) for item in value)
    if type(value) is dict:
        return {key: _plain(item) for key, item in value.items()}
    return value
