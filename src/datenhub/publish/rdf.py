"""Turtle and RDF/XML written directly from the hub's own JSON-LD documents (no RDF library needed at runtime).

Enough for the shapes the hub writes (the DCAT catalogue, dcat.py): nodes with an `@id` and an `@type`, whose
values are strings, IRIs (`{"@id": …}`), language-tagged or typed literals, or nested nodes; property names and
types are compact IRIs whose prefixes the document's `@context` maps.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax import saxutils

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# what XML 1.0 cannot hold at all, escaped or not: one such character in one attribution made the whole catalogue
# unreadable to harvesters (imports remove them now; texts stored before may still hold them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    return saxutils.escape(_NOT_XML.sub("", text))


def quoteattr(text: str) -> str:
    return saxutils.quoteattr(_NOT_XML.sub("", text))


def _nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's nodes, nesting replaced by references: a `@graph`, or the document as one node."""
    return _flatten(doc["@graph"] if "@graph" in doc else [{k: v for k, v in doc.items() if k != "@context"}])


def turtle(doc: dict[str, Any]) -> bytes:
    lines = [f"@prefix {prefix}: <{iri}> ." for prefix, iri in doc["@context"].items()]
    for node in _nodes(doc):
        pairs = [f"a {node['@type']}"] + [
            f"{key} {', '.join(_term(v) for v in (value if isinstance(value, list) else [value]))}"
            for key, value in node.items() if not key.startswith("@")]
        lines.append(f"\n{_iri_ref(node['@id'])}\n    " + " ;\n    ".join(pairs) + " .")
    return ("\n".join(lines) + "\n").encode("utf-8")


def rdf_xml(doc: dict[str, Any]) -> bytes:
    """RDF/XML, which the CKAN harvesters of GovData and Open.NRW read first: one `rdf:Description` per node."""
    context: dict[str, str] = doc["@context"]
    names = "".join(f"\n    xmlns:{prefix}={quoteattr(iri)}" for prefix, iri in {"rdf": RDF_NS, **context}.items())
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f"<rdf:RDF{names}>"]
    for node in _nodes(doc):
        _iri_ref(node["@id"])
        lines.append(f"  <rdf:Description rdf:about={quoteattr(node['@id'])}>")
        lines.append(f"    <rdf:type rdf:resource={quoteattr(_expand(node['@type'], context))}/>")
        for key, value in node.items():
            if not key.startswith("@"):
                lines += [f"    {_element(key, item, context)}" for item in (value if isinstance(value, list)
                                                                          else [value])]
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>\n")
    return "\n".join(lines).encode("utf-8")


def _element(key: str, value: Any, context: dict[str, str]) -> str:
    if isinstance(value, str):
        return f"<{key}>{escape(value)}</{key}>"
    if "@id" in value:
        _iri_ref(value["@id"])
        return f"<{key} rdf:resource={quoteattr(value['@id'])}/>"
    if "@language" in value:
        return f"<{key} xml:lang={quoteattr(value['@language'])}>{escape(value['@value'])}</{key}>"
    return f"<{key} rdf:datatype={quoteattr(_expand(value['@type'], context))}>{escape(value['@value'])}</{key}>"


def _expand(name: str, context: dict[str, str]) -> str:
    prefix, _, local = name.partition(":")
    return context[prefix] + local if prefix in context else name


def _flatten(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each node followed by the nodes nested in it, nesting replaced by references (enough for our shapes)."""
    out: list[dict[str, Any]] = []
    for node in nodes:
        flat: dict[str, Any] = {}
        children: list[dict[str, Any]] = []
        for key, value in node.items():
            items = value if isinstance(value, list) else [value]
            refs = []
            for item in items:
                if isinstance(item, dict) and "@type" in item and "@id" in item:
                    children.append(item)
                    item = {"@id": item["@id"]}
                refs.append(item)
            flat[key] = refs if isinstance(value, list) else refs[0]
        out.append(flat)
        out.extend(_flatten(children))
    return out


def _iri_ref(iri: str) -> str:
    if any(ch in iri for ch in ' <>"{}|^`\\') or any(ord(ch) <= 0x20 for ch in iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + escaped.replace("\t", "\\t") + '"'


def _term(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    if "@id" in value:
        return _iri_ref(value["@id"])
    if "@language" in value:
        return f"{_string(value['@value'])}@{value['@language']}"
    return f"{_string(value['@value'])}^^{value['@type']}"
