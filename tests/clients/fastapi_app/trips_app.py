"""A small trips service instrumented with perfwatch_client, driven by test_fastapi_e2e.py.

Every way a service reports is used once: PerfWatchMiddleware for requests (route templates,
500 on exceptions, request ids), database_operation for queries (including a failing one and
an N+1 loop), PerformanceTimer and monitor_performance for processing steps.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import List

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import perfwatch_client as pw

# The test shortens the sender's timeouts so its phases stay short.
pw.configure(**json.loads(os.environ.get("TRIPS_PERFWATCH_OPTIONS", "{}")))

app = FastAPI()
app.add_middleware(pw.PerfWatchMiddleware, exclude_paths=("/_test/",))

TRIPS = {f"t{i}": {"id": f"t{i}", "user_id": f"u{i % 3}", "distance_km": i * 1.5} for i in range(1, 51)}


class Upload(BaseModel):
    user_id: str
    points: List[List[float]]


@pw.monitor_performance("processing")
def validate_points(points: List[List[float]]) -> List[List[float]]:
    return [p for p in points if len(p) == 2]


@pw.monitor_performance("processing", name="geocode")
async def geocode(points: List[List[float]]) -> str:
    await asyncio.sleep(0)
    return f"{points[0][0]:.3f},{points[0][1]:.3f}" if points else ""


@app.get("/api/trips")
async def list_trips(user_id: str = "u1"):
    with pw.database_operation("find", "trips", fields=["user_id"]) as op:
        rows = [t for t in TRIPS.values() if t["user_id"] == user_id]
        op.documents = len(rows)
    return rows


@app.get("/api/trips/{trip_id}")
def get_trip(trip_id: str):
    # A sync endpoint: FastAPI runs it in a worker thread; the request id must follow it there.
    with pw.database_operation("find_one", "trips", fields=["_id"]):
        trip = TRIPS.get(trip_id)
    if trip is None:
        raise HTTPException(status_code=404, detail="no such trip")
    return trip


@app.get("/api/trips/{trip_id}/points")
async def trip_points(trip_id: str):
    # The N+1 pattern PerfWatch should point out: one query per point instead of one for all.
    points = []
    for seq in range(6):
        with pw.database_operation("find_one", "points", fields=["trip_id", "seq"]):
            points.append({"trip_id": trip_id, "seq": seq})
    return points


@app.post("/api/trips/upload", status_code=201)
async def upload(body: Upload):
    points = validate_points(body.points)
    with pw.PerformanceTimer("map_matching") as timer:
        matched = [[round(lat, 4), round(lon, 4)] for lat, lon in points]
        timer.items_processed = len(matched)
    start = await geocode(matched)
    with pw.database_operation("insert_one", "trips"):
        trip_id = f"t{len(TRIPS) + 1}"
    return {"id": trip_id, "matched": len(matched), "start": start}


@app.get("/api/trips/{trip_id}/fail")
async def fail(trip_id: str):
    with pw.database_operation("update", "trips", fields=["_id"]):
        raise RuntimeError("simulated database failure")


# Test control, excluded from the middleware so it never shows up in PerfWatch.
@app.post("/_test/flush")
def flush():
    ok = pw.flush(timeout=15)
    return {"ok": ok, "stats": pw.stats()}


@app.get("/_test/stats")
def stats():
    return pw.stats()
