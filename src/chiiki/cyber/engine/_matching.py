"""Which advisories concern which components: an index by identifier, then each ecosystem's version order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from chiiki.cyber.engine._advisories import Advisory, Product
from chiiki.cyber.engine._identity import Cpe, IdentifierError, Key, name_key, parse_cpe, purl_key
from chiiki.cyber.engine._inventory import Component


@dataclass(frozen=True, slots=True)
class Match:
    """One component concerned by one advisory, and why: the identifier that matched and the range."""

    component: str  # Component.key
    advisory: str  # Advisory.identifier
    via: str  # the identifier that matched, as the advisory names the product
    version: str  # the component's version
    range_text: str
    certain: bool = True  # False: the version could not be compared, so someone must check by hand


@dataclass(frozen=True, slots=True)
class Suppression:
    """A component the advisory's VEX statement says is not affected (known_not_affected), with the reason."""

    component: str
    advisory: str
    via: str
    justification: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    matches: list[Match]
    suppressed: list[Suppression]


@dataclass(frozen=True, slots=True)
class _Identity:
    keys: tuple[Key, ...]
    version: str
    cpe: Cpe | None


def identity(component: Component) -> _Identity:
    """Every key a component is known by (PURL, CPE, vendor+product) and its version."""
    keys: list[Key] = []
    version = component.version
    cpe: Cpe | None = None
    if component.purl:
        try:
            key, purl_version = purl_key(component.purl)
            keys.append(key)
            version = version or purl_version
        except IdentifierError:
            pass
    if component.cpe:
        try:
            cpe = parse_cpe(component.cpe)
            keys.append(cpe.key())
            version = version or cpe.version
        except IdentifierError:
            cpe = None
    if component.name:
        keys.append(name_key(component.vendor, component.name))
    return _Identity(tuple(dict.fromkeys(keys)), version, cpe)


def component_keys(component: Component) -> list[str]:
    """The keys a component is found by, as text (for a database index of assets): an advisory can concern the
    component only if one of its products has one of these keys (see `advisory_keys`)."""
    return [key_text(key) for key in identity(component).keys]


def advisory_keys(advisories: Iterable[Advisory]) -> list[str]:
    """Every product key the advisories name (affected or not affected), as text."""
    return sorted(key_text(key) for key in AdvisoryIndex(advisories).keys())


def key_text(key: Key) -> str:
    """A key's one-line form: its parts joined by the unit separator, which no identifier part contains."""
    return "\x1f".join(key)


def _concerns(
    product: Product, ident: _Identity, cache: dict[tuple[int, str], bool | None] | None = None
) -> bool | None:
    """True/False whether `product` (already known to share a key) covers this component; None: uncertain."""
    if product.cpe is not None and (ident.cpe is None or not product.cpe.matches(ident.cpe)):
        if ident.cpe is not None:
            return False
    if cache is None:
        return product.versions.contains(ident.version)
    # Bodies run the same products: one version check per (range, version), however many bodies.
    key = (id(product.versions), ident.version)
    if key not in cache:
        cache[key] = product.versions.contains(ident.version)
    return cache[key]


class AdvisoryIndex:
    """Advisories indexed by product key. Build once, then `match` any number of inventories against it."""

    def __init__(self, advisories: Iterable[Advisory] = ()) -> None:
        self._affected: dict[Key, list[tuple[str, Product]]] = defaultdict(list)
        self._not_affected: dict[Key, list[tuple[str, Product, str]]] = defaultdict(list)
        self.size = 0
        self._verdicts: dict[tuple[int, str], bool | None] = {}
        for advisory in advisories:
            self.add(advisory)

    def add(self, advisory: Advisory) -> None:
        """Index one advisory's affected and not-affected products."""
        self.size += 1
        for product in advisory.affected:
            self._affected[product.key].append((advisory.identifier, product))
        for product, justification in advisory.not_affected:
            self._not_affected[product.key].append((advisory.identifier, product, justification))

    def keys(self) -> set[Key]:
        """Every product key an indexed advisory names (affected or not affected)."""
        return set(self._affected) | set(self._not_affected)

    def match(self, components: Iterable[Component]) -> MatchResult:
        """Every (component, advisory) pair where the advisory concerns the component, VEX applied."""
        matches: list[Match] = []
        suppressed: list[Suppression] = []
        for component in components:
            ident = identity(component)
            found, vex = self._for(component.key, ident)
            suppressed.extend(vex.values())
            matches.extend(m for advisory, m in found.items() if advisory not in vex)
        return MatchResult(matches, suppressed)

    def _for(self, key: str, ident: _Identity) -> tuple[dict[str, Match], dict[str, Suppression]]:
        found: dict[str, Match] = {}
        vex: dict[str, Suppression] = {}
        for index_key in ident.keys:
            for advisory, product, why in self._not_affected.get(index_key, ()):
                if advisory not in vex and _concerns(product, ident, self._verdicts):
                    vex[advisory] = Suppression(key, advisory, product.label, why)
            for advisory, product in self._affected.get(index_key, ()):
                if advisory in found and found[advisory].certain:
                    continue
                verdict = _concerns(product, ident, self._verdicts)
                if verdict is not False:
                    found[advisory] = Match(
                        key, advisory, product.label, ident.version, product.versions.text, verdict is True
                    )
        return found, vex


class ComponentIndex:
    """Components indexed by key, built once (reading PURLs and CPEs is most of a full match's cost); then `match`
    a few new advisories against only the components that share a key with their products. Gives the same
    answers as `AdvisoryIndex(advisories).match(components)`, in the components' order."""

    def __init__(self, components: Iterable[Component] = ()) -> None:
        self._by_key: dict[Key, list[int]] = defaultdict(list)
        self._entries: list[tuple[str, _Identity]] = []
        for component in components:
            self.add(component)

    def add(self, component: Component) -> None:
        """Index one more component (a body's new asset)."""
        ident = identity(component)
        position = len(self._entries)
        self._entries.append((component.key, ident))
        for key in ident.keys:
            self._by_key[key].append(position)

    @property
    def size(self) -> int:
        return len(self._entries)

    def match(self, advisories: Iterable[Advisory]) -> MatchResult:
        """Every (component, advisory) pair for these advisories, VEX applied."""
        index = AdvisoryIndex(advisories)
        candidates: set[int] = set()
        for key in index.keys():
            candidates.update(self._by_key.get(key, ()))
        matches: list[Match] = []
        suppressed: list[Suppression] = []
        for position in sorted(candidates):
            component_key, ident = self._entries[position]
            found, vex = index._for(component_key, ident)
            suppressed.extend(vex.values())
            matches.extend(m for advisory, m in found.items() if advisory not in vex)
        return MatchResult(matches, suppressed)


def match(components: Iterable[Component], advisories: Iterable[Advisory]) -> MatchResult:
    """Match an inventory against advisories (builds an index; reuse `AdvisoryIndex` for many inventories)."""
    return AdvisoryIndex(advisories).match(components)


def naive_match(components: list[Component], advisories: list[Advisory]) -> MatchResult:
    """The baseline: every component against every product of every advisory, no index. Same answers as
    `match`; kept for the benchmark and to check the index in tests."""
    matches: list[Match] = []
    suppressed: list[Suppression] = []
    for component in components:
        ident = identity(component)
        for advisory in advisories:
            vex = next(
                (
                    Suppression(component.key, advisory.identifier, p.label, why)
                    for p, why in advisory.not_affected
                    if p.key in ident.keys and _concerns(p, ident)
                ),
                None,
            )
            if vex is not None:
                suppressed.append(vex)
                continue
            best: Match | None = None
            for product in advisory.affected:
                if product.key not in ident.keys:
                    continue
                verdict = _concerns(product, ident)
                if verdict is not False and (best is None or (verdict and not best.certain)):
                    best = Match(
                        component.key,
                        advisory.identifier,
                        product.label,
                        ident.version,
                        product.versions.text,
                        verdict is True,
                    )
            if best is not None:
                matches.append(best)
    return MatchResult(matches, suppressed)
