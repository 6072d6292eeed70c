"""Closed vocabularies of the contract (order types, statuses, priorities, sources)."""

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    """Which input a row came from."""

    INVENTORY = "inventory"
    LAND = "land"
    AIR = "air"
    ENTRIES = "entries"


class OrderType(StrEnum):
    DEPARTURE = "departure"
    EXCLUSION = "exclusion"
    DEPORTATION = "deportation"


class InventoryStatus(StrEnum):
    WANTED = "wanted"
    WORKING = "working"
    MONITORING = "monitoring"
    STAYED = "stayed"
    DEFERRED = "deferred"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class Priority(StrEnum):
    SERIOUS_INADMISSIBILITY = "serious_inadmissibility"
    FAILED_IRREGULAR_MIGRANT = "failed_irregular_migrant"
    FAILED_REFUGEE_CLAIMANT = "failed_refugee_claimant"
    OTHER = "other"


class WarrantStatus(StrEnum):
    ACTIVE = "active"
    EXECUTED = "executed"
    CANCELLED = "cancelled"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNSPECIFIED = "X"


class ExitSource(StrEnum):
    LAND = "land"
    AIR = "air"


class Band(StrEnum):
    """How much review a closure candidate needs, from least to most."""

    CONFIRMED = "confirmed"
    PROBABLE = "probable"
    POSSIBLE = "possible"
