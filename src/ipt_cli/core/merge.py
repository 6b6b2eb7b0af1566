"""Three-way merge of two versions of one course (git's merge driver, `ipt sync`).

Pure: documents in (the raw TOML tables of the common ancestor, ours and theirs), one
document out. Nothing is lost and nothing is guessed:

- a change made on one side only is taken;
- lists of records with an `id` (sessions, goals) merge by that stable id: a record added
  on either side is kept (two sessions recorded on both machines with the same new id are
  both kept, theirs under the next free id); a record both sides changed differently stays
  as ours, and theirs is kept whole in a `conflicts` entry until `ipt resolve`;
- other lists (notes' addenda, risk reviews, missed appointments, warning signs) keep every
  item either side added and drop what either side removed;
- a field both sides set differently stays as ours, theirs kept in a `conflicts` entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ipt_cli.core.structs import field, struct

if TYPE_CHECKING:
    from ipt_cli.core.models import Course

MISSING: Any = object()
SESSION_LISTS = ("sessions",)


@struct
class Merge:
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    next_session_id: int = 1
    renumber: str = "theirs"  # whose record takes a new id when both added the same one


def _session_ids(document: dict[str, Any]) -> list[int]:
    holders = [document, document.get("maintenance") or {}]
    return [
        s["id"]
        for h in holders
        if isinstance(h, dict)
        for s in h.get("sessions", [])
        if isinstance(s, dict) and isinstance(s.get("id"), int)
    ]


def merge_documents(
    base: dict[str, Any],
    ours: dict[str, Any],
    theirs: dict[str, Any],
    renumber: str = "theirs",
) -> tuple[dict[str, Any], int]:
    """The merged document and how many new conflicts it holds. `renumber` says whose new
    session takes the next free id when both sides added one with the same id."""
    state = Merge(
        next_session_id=max([0, *_session_ids(ours), *_session_ids(theirs)]) + 1,
        renumber=renumber,
    )
    merged = _merge_dict(base, ours, theirs, "", state)
    known = [c for c in merged.get("conflicts", []) if isinstance(c, dict)]
    if state.conflicts:
        merged["conflicts"] = known + [c for c in state.conflicts if c not in known]
    return merged, len(state.conflicts)


def _conflict(state: Merge, where: str, theirs: Any) -> None:
    value = theirs if isinstance(theirs, dict) else {"value": theirs}
    state.conflicts.append({"where": where, "theirs": value})


def _merge_value(base: Any, ours: Any, theirs: Any, where: str, state: Merge) -> Any:
    if ours == theirs:
        return ours
    if base == ours:
        return theirs
    if base == theirs:
        return ours
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return _merge_dict(base if isinstance(base, dict) else {}, ours, theirs, where, state)
    if isinstance(ours, list) and isinstance(theirs, list):
        old = base if isinstance(base, list) else []
        if _identified(ours) and _identified(theirs) and _identified(old):
            return _merge_by_id(old, ours, theirs, where, state)
        return _merge_items(old, ours, theirs)
    if ours is MISSING or theirs is MISSING:
        # removed on one side, changed on the other: keep the change
        return theirs if ours is MISSING else ours
    _conflict(state, where, theirs)
    return ours


def _merge_dict(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any], where: str, state: Merge
) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        if key == "conflicts" and not where:
            merged[key] = _merge_items(base.get(key, []), ours.get(key, []), theirs.get(key, []))
            continue
        value = _merge_value(
            base.get(key, MISSING),
            ours.get(key, MISSING),
            theirs.get(key, MISSING),
            f"{where}.{key}" if where else key,
            state,
        )
        if value is not MISSING:
            merged[key] = value
    return merged


def _identified(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and "id" in item for item in items)


def _merge_by_id(
    base: list[dict[str, Any]],
    ours: list[dict[str, Any]],
    theirs: list[dict[str, Any]],
    where: str,
    state: Merge,
) -> list[dict[str, Any]]:
    old = {item["id"]: item for item in base}
    mine = {item["id"]: item for item in ours}
    other = {item["id"]: item for item in theirs}
    merged: list[dict[str, Any]] = []
    for item in ours:
        key = item["id"]
        if key not in other:
            if key in old and old[key] == item:
                continue  # removed on their side, unchanged on ours
            merged.append(item)
        elif key not in old and item != other[key]:
            # both sides added a record with this id: both are kept
            kept, moved = (other[key], item) if state.renumber == "ours" else (item, other[key])
            merged.append(kept)
            renamed = _renumbered(moved, where, state)
            if renamed is not None:
                merged.append(renamed)
        else:
            merged.append(_record(old.get(key, MISSING), item, other[key], where, state))
    for item in theirs:
        key = item["id"]
        if key not in mine and not (key in old and old[key] == item):
            merged.append(item)
    return merged


def _renumbered(item: dict[str, Any], where: str, state: Merge) -> dict[str, Any] | None:
    if where.endswith("sessions") and isinstance(item["id"], int):
        renamed = {**item, "id": state.next_session_id}
        state.next_session_id += 1
        return renamed
    _conflict(state, f"{where}#{item['id']}", item)  # e.g. a goal id added twice
    return None


def _record(
    base: Any, ours: dict[str, Any], theirs: dict[str, Any], where: str, state: Merge
) -> dict[str, Any]:
    """One record both sides hold: one side's change is taken; two are a conflict."""
    if ours == theirs or base == theirs:
        return ours
    if base == ours:
        return theirs
    _conflict(state, f"{where}#{ours['id']}", theirs)
    return ours


def _merge_items(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Every item either side added; none that either side removed."""
    kept = [item for item in ours if not (item in base and item not in theirs)]
    return kept + [item for item in theirs if item not in ours and item not in base]


def resolve(document: dict[str, Any], take: str) -> tuple[dict[str, Any], int]:
    """Settle every conflict: "ours" drops the other versions, "theirs" puts them in place.
    Returns the document and how many were settled."""
    conflicts = [c for c in document.pop("conflicts", []) if isinstance(c, dict)]
    if take == "theirs":
        whole = [c for c in conflicts if c.get("where") == "*"]
        if whole:
            other = whole[-1].get("theirs")
            if not isinstance(other, dict):
                raise UnplaceableConflict("it is not a course")
            document = {k: v for k, v in other.items() if k != "conflicts"}
        for conflict in conflicts:
            if conflict.get("where") == "*":
                continue
            _put(document, str(conflict.get("where", "")), conflict.get("theirs") or {})
    return document, len(conflicts)


class UnplaceableConflict(ValueError):
    """The other machine's version does not fit this course (its place is not a table or
    a list, or the whole course is another course's)."""


def _put(document: dict[str, Any], where: str, theirs: dict[str, Any]) -> None:
    path, _, record_id = where.partition("#")
    holder: Any = document
    keys = path.split(".")
    for key in keys[:-1]:
        holder = holder.setdefault(key, {}) if isinstance(holder, dict) else None
    last = keys[-1]
    if not isinstance(holder, dict) or not isinstance(theirs, dict):
        raise UnplaceableConflict(f"its place {where!r} is not part of this course")
    if record_id and not isinstance(holder.get(last, []), list):
        raise UnplaceableConflict(f"its place {where!r} is not a list of this course")
    if not record_id:
        holder[last] = theirs.get("value", theirs) if set(theirs) == {"value"} else theirs
        return
    items = holder.setdefault(last, [])
    for n, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("id")) == record_id:
            items[n] = theirs
            return
    items.append(theirs)


def settle(course: Course, take: str) -> int:
    """Resolve a course's conflicts in place ("ours" or "theirs"); how many there were."""
    document = course.model_dump(mode="python", exclude_none=True)
    settled, count = resolve(document, take)
    fresh = type(course).model_validate(settled)
    if fresh.id != course.id:
        raise UnplaceableConflict(f"it is the course {fresh.id!r}, not {course.id!r}")
    course.__dict__.update(fresh.__dict__)  # the caller re-validates the whole course
    return count


def describe(conflict: dict[str, Any]) -> str:
    """Where a conflict is, in words (never its content: it may be note text)."""
    where = str(conflict.get("where", "?"))
    if where == "*":
        return "the whole course changed on both machines in ways that do not merge"
    path, _, record_id = where.partition("#")
    if record_id and path.endswith("sessions"):
        return f"session id {record_id} changed on both machines"
    if record_id:
        return f"{path} {record_id} changed on both machines"
    return f"{path} changed on both machines"
