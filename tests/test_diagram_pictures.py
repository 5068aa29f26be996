"""``get_graph().draw_mermaid_png()``: the line every LangGraph tutorial shows its graph
with (``display(Image(graph.get_graph().draw_mermaid_png()))``) gives a PNG of our own
layout, drawn in the kernel (LangGraph's asks the mermaid.ink web service); and
``draw_ascii()``/``print_ascii()`` the same layout as text (LangChain's needs grandalf)."""

from __future__ import annotations

import io

import pytest
from IPython.display import Image as IPythonImage
from PIL import Image

from hitl_notebook.render import layout_graph
from hitl_notebook.render.png import SCALE
from hitl_notebook.render.svg import STATUS_COLOURS
from tests.test_layout import GRAPHS


def _decoded(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).convert("RGB")


def _hex(colour: tuple[int, ...]) -> str:
    return "#" + "".join(f"{c:02x}" for c in colour[:3])


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("xray", [False, True])
def test_the_png_shows_every_node_of_the_layout(name, xray):
    """The image is the layout at twice its size plus the padding, and each node's box is
    painted at its place (its fill shows just inside its left edge)."""
    drawable = GRAPHS[name]().get_graph(xray=xray)
    drawn = layout_graph(drawable)
    image = _decoded(drawable.draw_mermaid_png(padding=10))
    assert image.size == (round(drawn.width * SCALE) + 40, round(drawn.height * SCALE) + 40)
    fill = STATUS_COLOURS[""][0]
    for box in drawn.boxes.values():
        inside = ((box.x - box.width / 2 + 3) * SCALE + 20, box.y * SCALE + 20)
        assert _hex(image.getpixel(inside)) == fill, (box.id, inside)


def test_it_works_as_the_tutorials_use_it(tmp_path):
    """``Image(...)`` takes the bytes as a PNG; ``output_file_path`` writes the same bytes;
    the Mermaid-service options LangGraph takes are accepted."""
    drawable = GRAPHS["loop"]().get_graph()
    data = drawable.draw_mermaid_png(
        output_file_path=str(tmp_path / "graph.png"),
        draw_method="api",
        curve_style="linear",
        max_retries=3,
        background_color="white",
    )
    assert IPythonImage(data).format == "png"
    assert (tmp_path / "graph.png").read_bytes() == data
    assert drawable.draw_png() == data


def test_a_transparent_background_when_asked():
    image = Image.open(
        io.BytesIO(GRAPHS["loop"]().get_graph().draw_mermaid_png(background_color=None))
    ).convert("RGBA")
    assert image.getpixel((0, 0))[3] == 0


def test_labels_are_drawn_as_text_whatever_they_hold():
    """A node name with markup or odd characters is just text on the image (no crash)."""
    from hitl_notebook import START, StateGraph

    builder = StateGraph(dict)
    builder.add_node("<b>bold</b> & \u202eevil", lambda s: {})
    builder.add_edge(START, "<b>bold</b> & \u202eevil")
    assert _decoded(builder.compile().get_graph().draw_mermaid_png()).size[0] > 0


@pytest.mark.parametrize("name", GRAPHS)
def test_the_ascii_drawing_boxes_every_node_in_layout_order(name, capsys):
    drawable = GRAPHS[name]().get_graph()
    drawn = layout_graph(drawable)
    text = drawable.draw_ascii()
    lines = text.splitlines()
    rows = {}
    for box in drawn.boxes.values():
        found = [i for i, line in enumerate(lines) if f"| {box.label} |" in line]
        assert found, (box.label, text)
        assert "+" + "-" * (len(box.label) + 2) + "+" in lines[found[0] - 1]
        rows[box.id] = found[0]
    by_height = sorted(drawn.boxes.values(), key=lambda b: b.y)
    assert [rows[b.id] for b in by_height] == sorted(rows[b.id] for b in by_height)
    assert "*" in text
    drawable.print_ascii()
    assert capsys.readouterr().out == text + "\n"
