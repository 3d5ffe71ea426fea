"""The directory as a read-only Open Referral HSDS 3.1 API under `/hsds/`.

    GET /hsds/                       version, profile, openapi_url
    GET /hsds/services               pages: page, per_page, search, taxonomy_term_id,
                                     taxonomy_id, organization_id, modified_after,
                                     full, minimal
    GET /hsds/services/{id}          one service, fully nested (404 when unknown)
    GET /hsds/organizations[/{id}]   (full_service=true nests whole services)
    GET /hsds/taxonomies[/{id}], /hsds/taxonomy_terms[/{id}]

Answers are cached per directory version: SQLite's `data_version` on this connection
changes whenever another connection commits, so a bed update or an import is visible at
the next request and an unchanged directory is not queried twice for the same page.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from directory import engine, hsds_api
from directory.engine import Database

CACHED_ANSWERS = 512
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def _flag(request: Request, name: str) -> bool:
    value = (request.args.get(name) or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise hsds_api.BadRequest(f"{name} must be true or false")


def _text(request: Request, name: str) -> str | None:
    value = request.args.get(name)
    return value.strip() or None if isinstance(value, str) else None


def blueprint(db: Database) -> Blueprint:
    bp = Blueprint("hsds", url_prefix="/hsds")
    cache: OrderedDict[tuple[int, str, str], tuple[int, bytes]] = OrderedDict()

    def answer(request: Request, build: Callable[[], Any]) -> HTTPResponse:
        version = engine.data_version(db)
        key = (version or 0, request.path, request.query_string)
        if version is None or key not in cache:  # no version: every answer is built anew
            try:
                found = build()
                status, body = (200, found) if found is not None else (404, {"error": "not found"})
            except hsds_api.BadRequest as error:
                status, body = 400, {"error": str(error)}
            cache[key] = (status, json.dumps(body, ensure_ascii=False).encode("utf-8"))
            while len(cache) > CACHED_ANSWERS:
                cache.popitem(last=False)
        cache.move_to_end(key)
        status, body = cache[key]
        return response.raw(body, status=status, content_type="application/json")

    def paging(request: Request) -> dict[str, Any]:
        page, per_page = hsds_api.page_size(_text(request, "page"), _text(request, "per_page"))
        return {"page": page, "per_page": per_page, "search": _text(request, "search")}

    @bp.get("/")
    async def about(request: Request) -> HTTPResponse:
        return answer(request, hsds_api.about)

    @bp.get("/services")
    async def services(request: Request) -> HTTPResponse:
        return answer(
            request,
            lambda: hsds_api.services(
                db,
                **paging(request),
                taxonomy_term_id=_text(request, "taxonomy_term_id"),
                taxonomy_id=_text(request, "taxonomy_id"),
                organization_id=_text(request, "organization_id"),
                modified_after=hsds_api.since(_text(request, "modified_after")),
                full=_flag(request, "full"),
                minimal=_flag(request, "minimal"),
            ),
        )

    @bp.get("/services/<service_id:str>")
    async def service(request: Request, service_id: str) -> HTTPResponse:
        return answer(request, lambda: hsds_api.service(db, service_id))

    @bp.get("/organizations")
    async def organizations(request: Request) -> HTTPResponse:
        return answer(
            request,
            lambda: hsds_api.organizations(
                db, **paging(request), full_service=_flag(request, "full_service")
            ),
        )

    @bp.get("/organizations/<organization_id:str>")
    async def organization(request: Request, organization_id: str) -> HTTPResponse:
        return answer(
            request,
            lambda: hsds_api.organization(
                db, organization_id, full_service=_flag(request, "full_service")
            ),
        )

    @bp.get("/taxonomies")
    async def taxonomies(request: Request) -> HTTPResponse:
        return answer(request, lambda: hsds_api.taxonomies(db, **paging(request)))

    @bp.get("/taxonomies/<taxonomy_id:str>")
    async def taxonomy(request: Request, taxonomy_id: str) -> HTTPResponse:
        return answer(request, lambda: hsds_api.taxonomy(db, taxonomy_id))

    @bp.get("/taxonomy_terms")
    async def taxonomy_terms(request: Request) -> HTTPResponse:
        return answer(
            request,
            lambda: hsds_api.taxonomy_terms(
                db, **paging(request), taxonomy_id=_text(request, "taxonomy_id")
            ),
        )

    @bp.get("/taxonomy_terms/<term_id:str>")
    async def taxonomy_term(request: Request, term_id: str) -> HTTPResponse:
        return answer(request, lambda: hsds_api.taxonomy_term(db, term_id))

    return bp
