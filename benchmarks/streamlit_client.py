"""A student's page without a browser: Streamlit's own websocket protocol, spoken the way its web page speaks it.

A class's students each run their page on their own device; a benchmark on one machine that also opens 30 browsers
measures the browsers fighting the server for its cores. This client costs next to nothing: it opens a session,
asks for a page, follows the fragments the page asks to rerun (`st.fragment(run_every=...)`), and clicks a button
by its key, as the web page does, and it notes when each element first arrives. It draws nothing, so what it
measures is the server's side: from the moment something changed until the page's new elements reached the student.

    client = StreamlitClient(base, "class_question")
    await client.open()
    await client.first(lambda element: element.key_in("vote1_answer0"), timeout=30)
    await client.click("class_question_q1_vote1_answer0")
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


@dataclass
class Arrived:
    """One element as it reached the client: its kind ("button", "alert", "progress"...), its text, its widget id
    (where it is a widget: Streamlit puts the key in it), and when it arrived (time.perf_counter())."""

    kind: str
    text: str
    widget_id: str
    at: float
    fragment_id: str = ""

    def key_in(self, key: str) -> bool:
        return bool(self.widget_id) and key in self.widget_id


def element_of(element, at: float) -> Arrived:
    kind = element.WhichOneof("type") or ""
    part = getattr(element, kind, None)
    text = ""
    for name in ("body", "label", "text"):
        if part is not None and hasattr(part, name) and isinstance(getattr(part, name), str):
            text = getattr(part, name)
            if text:
                break
    return Arrived(kind, text, getattr(part, "id", "") if part is not None else "", at)


class StreamlitClient:
    def __init__(self, base: str, page: str, query: str = ""):
        self.url = base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.page, self.query = page, query
        self.arrived: list[Arrived] = []
        self.widgets: dict[str, Arrived] = {}  # widget id -> the widget, as it last arrived
        self.page_hash = ""
        self.fragments: dict[str, float] = {}  # fragment id -> seconds between its reruns
        self.problems: list[str] = []
        self._tasks: list[asyncio.Task] = []
        self._socket = None
        self._changed = asyncio.Event()

    async def open(self) -> None:
        self._socket = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        self._tasks.append(asyncio.create_task(self._receive()))
        await self._rerun()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self._socket.close()

    async def _send(self, message: BackMsg) -> None:
        await self._socket.send(message.SerializeToString())

    async def _rerun(self, fragment_id: str = "", trigger: str = "", auto: bool = True) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        state.page_name = "" if self.page_hash else self.page
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = auto
        if trigger:
            widget = state.widget_states.widgets.add()
            widget.id = trigger
            widget.trigger_value = True
        await self._send(message)

    async def _receive(self) -> None:
        async for data in self._socket:
            now = time.perf_counter()
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = message.new_session.page_script_hash or self.page_hash
            elif kind == "page_info_changed" or kind == "navigation":
                if kind == "navigation" and message.navigation.page_script_hash:
                    self.page_hash = message.navigation.page_script_hash
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                arrived = element_of(message.delta.new_element, now)
                arrived.fragment_id = message.delta.fragment_id
                self.arrived.append(arrived)
                if arrived.widget_id:
                    self.widgets[arrived.widget_id] = arrived
                if arrived.kind == "exception":
                    self.problems.append(message.delta.new_element.exception.message)
                self._changed.set()
            elif kind == "auto_rerun":
                fragment = message.auto_rerun.fragment_id
                if fragment not in self.fragments:
                    self.fragments[fragment] = message.auto_rerun.interval
                    self._tasks.append(asyncio.create_task(self._follow(fragment, message.auto_rerun.interval)))
            elif kind == "ref_hash":
                self.problems.append("a cached message was referred to: this client keeps none")

    async def _follow(self, fragment: str, interval: float) -> None:
        """What the web page does for st.fragment(run_every=interval): ask for the fragment's rerun, again and again."""
        while True:
            await asyncio.sleep(interval)
            await self._rerun(fragment_id=fragment)

    async def first(self, matches, timeout: float, since: float = 0.0) -> Arrived:
        """The first element that `matches` and arrived after `since` (time.perf_counter()), waiting for it."""
        deadline = time.perf_counter() + timeout
        while True:
            found = next((a for a in self.arrived if a.at >= since and matches(a)), None)
            if found is not None:
                return found
            self._changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"nothing matching arrived within {timeout} s")
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                pass

    async def click(self, key_part: str) -> None:
        """Click the button whose key contains `key_part`, as the web page does: a rerun of the fragment it is in
        (or of the page), with that button's trigger."""
        buttons = [widget for widget in self.widgets.values() if key_part in widget.widget_id]
        assert buttons, f"no button with {key_part!r} in its key"
        await self._rerun(fragment_id=buttons[-1].fragment_id, trigger=buttons[-1].widget_id, auto=False)
