"""Logs are structured, carry the request id, and never carry a secret."""

import json
import logging

from hotline.logging import JsonFormatter, request_id_var


def format_json(message: str, **extra) -> dict:
    record = logging.LogRecord("hotline.test", logging.INFO, __file__, 1, message, None, None)
    for name, value in extra.items():
        setattr(record, name, value)
    record.request_id = request_id_var.get()
    return json.loads(JsonFormatter().format(record))


def test_it_writes_one_json_object_with_the_fields_given():
    entry = format_json("key created", organisation="RS-CERT", actor="rs-cert-supervisor")
    assert entry["message"] == "key created"
    assert entry["organisation"] == "RS-CERT"
    assert entry["actor"] == "rs-cert-supervisor"
    assert entry["level"] == "info"


def test_it_never_writes_secret_looking_fields():
    entry = format_json("login", password="hunter2", api_key="hl_abcdef", authorization="Api-Key x", user="ana")
    assert "hunter2" not in json.dumps(entry)
    assert entry["password"] == entry["api_key"] == entry["authorization"] == "[redacted]"
    assert entry["user"] == "ana"


def test_every_response_carries_a_request_id(client, db):
    response = client.get("/login/")
    assert len(response["X-Request-ID"]) == 32


def test_a_sane_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client, db):
    assert client.get("/login/", headers={"X-Request-ID": "nginx-1234abcd"})["X-Request-ID"] == "nginx-1234abcd"
    assert client.get("/login/", headers={"X-Request-ID": "<script>"})["X-Request-ID"] != "<script>"
