"""The cascade in stages of work and the live camera's share of it per frame: real decoding, no clock.

`decode_detail` says at which stage each code was first accepted; the live decoder must give a code first
accepted at stage k on the frame of a still scene that `live.schedule()` names for stage k (the stages' fixed
costs against a fixed budget per frame; a frame with fewer regions than the most may run its later crop
stages sooner, never later), never earlier, and start again when the scene changes (a move, or a change of
sharpness: a card coming into focus in front of a background of the same brightness); once the whole list
has run on an unexplained still scene, the next frames retry the late crop stages on the new frames.
Frames are made as in test_scan_decode.py (qrcode, python-barcode, OpenCV distortions).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pos_client.scanning import STAGE_NAMES, LiveDecoder, decode_detail, decode_frame
from pos_client.scanning import decode
from pos_client.scanning.decode import STAGES, Stage, work_cost
from pos_client.scanning.live import (
    FRAME_WORK,
    RETRY_FRAMES,
    RETRY_LIST,
    RETRY_STAGES,
    WHOLE_LIST,
    frame_plan,
    schedule,
)
from tests.unit.test_scan_decode import CARD, EAN, EAN12, TOKEN, barcode_image, qr_image, rotate, scene


def small_qr_frame() -> np.ndarray:
    """A QR code with 2-pixel modules in a 1280x720 frame: the whole-frame stages miss it, a crop reads it."""
    frame, _ = scene(qr_image(TOKEN, module_px=2), size=(1280, 720))
    return frame


def first_stage(frame: np.ndarray, payload: str) -> int:
    outcome = decode_detail(frame)
    matches = [stage for (_sym, pay), stage in outcome.first_stage.items() if pay == payload]
    assert matches, f"not read: {outcome}"
    return matches[0]


def test_a_late_stage_code_is_read_only_when_its_stage_runs() -> None:
    frame = small_qr_frame()
    k = first_stage(frame, TOKEN)
    assert k >= 3, STAGE_NAMES[k]  # a frame that needs the crop stages
    assert decode_frame(frame, stages=k) == []
    assert [c.payload for c in decode_frame(frame, stages=k + 1)] == [TOKEN]


def test_live_decoder_reads_a_stage_k_code_on_the_frame_its_stage_runs() -> None:
    frame = small_qr_frame()
    k = first_stage(frame, TOKEN)
    due = schedule()[k]  # 0: the scene's first frame
    assert due >= 2  # a late stage: several frames of a still scene
    live = LiveDecoder()
    for feed in range(due):
        assert live.decode(frame) == [], f"read too early, on frame {feed} (stage {k} runs on frame {due})"
    assert [c.payload for c in live.decode(frame)] == [TOKEN]
    assert live.still and STAGE_NAMES[k] in live.ran
    assert [c.payload for c in live.decode(frame)] == [TOKEN]  # and on the next: the confirmer needs two


def test_a_frame_runs_stages_while_their_costs_fit_and_at_least_one() -> None:
    stages = tuple(Stage(name, STAGES[0].run, cost) for name, cost in
                   (("a", 4.0), ("b", 8.0), ("c", 5.0), ("d", 20.0), ("e", 1.0), ("f", 11.0), ("g", 1.0)))
    # a+b = 12 fits; then a again beside c (9), d does not fit; d alone (over the budget, but one stage runs);
    # a beside e, f does not fit; f alone (a beside it would be 15), g fits beside f
    assert [frame_plan(start, stages, 12.0) for start in (0, 2, 3, 4, 5)] == [[0, 1], [0, 2], [3], [0, 4], [5, 6]]
    assert schedule(stages, 12.0) == [0, 0, 1, 2, 3, 4, 4]
    assert max(stage.cost for stage in STAGES) <= FRAME_WORK  # no stage of the cascade is over a frame's work


def test_stage_0_looks_again_at_each_new_frame_of_a_still_scene() -> None:
    """A code at the edge of readability reads on some frames only: stage 0 leads every frame it fits in."""
    frame = small_qr_frame()
    live = LiveDecoder()
    ran = []
    for _ in range(4):
        live.decode(frame)
        ran.append(live.ran)
    assert ran == [(STAGE_NAMES[0], STAGE_NAMES[1]), (STAGE_NAMES[0], STAGE_NAMES[2]),
                   (STAGE_NAMES[0], STAGE_NAMES[3]), ("locate",)]  # locate is too costly to share a frame


def test_a_scene_change_starts_the_cascade_again() -> None:
    frame = small_qr_frame()
    due = schedule()[first_stage(frame, TOKEN)]
    blank = np.full_like(frame, 200)
    live = LiveDecoder()
    for _ in range(due):
        live.decode(frame)
    assert live.decode(blank) == [] and not live.still  # the card went away: evidence and stages forgotten
    for _ in range(due):
        assert live.decode(frame) == []
    assert [c.payload for c in live.decode(frame)] == [TOKEN]


def test_a_card_coming_into_focus_is_a_new_scene() -> None:
    """The same card blurred, then sharp: the thumbnails barely differ, the sharpness does; the regions found
    on the blur are not reused (they were, and such a card was never read)."""
    frame = small_qr_frame()
    due = schedule()[first_stage(frame, TOKEN)]
    blurred = np.asarray(cv2.GaussianBlur(frame, (0, 0), 12), dtype=np.uint8)
    live = LiveDecoder()
    for _ in range(due + 1):
        assert live.decode(blurred) == []
    assert live.still  # the blur alone is a still scene that ran the locate stage
    live.decode(frame)
    assert not live.still and live.ran[0] == STAGE_NAMES[0]
    for _ in range(due - 1):
        live.decode(frame)
    assert [c.payload for c in live.decode(frame)] == [TOKEN]


def test_a_held_card_with_a_pixel_of_drift_and_noise_stays_one_scene() -> None:
    frame = small_qr_frame()
    rng = np.random.default_rng(7)
    live = LiveDecoder()
    live.decode(frame)
    for _ in range(4):
        shift = np.array([[1.0, 0.0, rng.uniform(-1, 1)], [0.0, 1.0, rng.uniform(-1, 1)]])
        moved = cv2.warpAffine(frame, shift, (frame.shape[1], frame.shape[0]), borderMode=cv2.BORDER_REPLICATE)
        noisy = np.clip(moved + rng.normal(0, 2.0, moved.shape), 0, 255).astype(np.uint8)
        live.decode(noisy)
        assert live.still


def test_a_busy_machine_changes_nothing() -> None:
    """No decision depends on time: the same frames give the same codes at the same frame, however slow."""
    frame = small_qr_frame()
    runs = []
    for _ in range(2):
        live = LiveDecoder()
        runs.append([[c.payload for c in live.decode(frame)] for _ in range(len(STAGE_NAMES))])
    assert runs[0] == runs[1]


def test_the_live_cascade_wraps_around_and_keeps_reading() -> None:
    frame = small_qr_frame()
    live = LiveDecoder()
    results = [[c.payload for c in live.decode(frame)] for _ in range(2 * len(STAGE_NAMES))]
    due = schedule()[first_stage(frame, TOKEN)]
    assert all(r == [TOKEN] for r in results[due:])


def damaged(frame: np.ndarray) -> np.ndarray:
    """The frame with a grey band across the middle of its small QR code: still a code-like region, read by
    no stage (a held code at the edge of readability, on a frame where it does not read)."""
    out = frame.copy()
    out[352:378, 597:683] = 128
    return out


def test_crop_stages_cost_what_they_crop() -> None:
    """The work is counted, not timed: a crop stage costs its nominal cost per region it will crop, a region
    holding an accepted code costs nothing, and the region search is free once the regions are known."""
    frame = small_qr_frame()
    work = decode.start(frame)
    assert work is not None
    flatten, locate = STAGES[STAGE_NAMES.index("crop-flatten")], STAGES[STAGE_NAMES.index("locate")]
    assert work_cost(flatten, work) == flatten.cost and work_cost(locate, work) == locate.cost  # not known yet
    regions = len(work.candidates())
    assert 1 <= regions < 3  # the QR code's region (crop-flatten looks at up to 3)
    assert work_cost(flatten, work) == pytest.approx(flatten.cost * regions / 3)
    assert work_cost(locate, work) == 0.0
    assert work_cost(STAGES[0], work) == STAGES[0].cost  # a whole-frame stage: its nominal cost
    flatten.run(work)
    assert [c.payload for c in work.evidence.accepted()] == [TOKEN]
    assert work_cost(flatten, work) == 0.0  # its region is explained


def test_a_still_unexplained_scene_retries_the_late_crop_stages_on_every_new_frame() -> None:
    """Once the whole list has run on a still scene that is not explained, the frames go to crop-flatten and
    crop-sharpen on its regions (the stages that read held codes at the edge of readability, on some frames
    only), so a code that reads on one later frame is read on that frame, not a whole list later."""
    frame = small_qr_frame()
    bad = damaged(frame)
    assert decode_frame(bad) == []
    live = LiveDecoder()
    whole = 0
    while live.order == WHOLE_LIST:
        assert live.decode(bad) == []
        whole += 1
    assert whole <= schedule()[-1] + 1 and set(RETRY_STAGES) == {"crop-flatten", "crop-sharpen"}
    for _ in range(RETRY_FRAMES - 1):
        assert live.decode(bad) == [] and live.ran == RETRY_STAGES and live.still
    assert [c.payload for c in live.decode(frame)] == [TOKEN]  # the frame where the code reads
    assert live.still and live.ran[0] == "crop-flatten"


def test_retry_frames_give_way_to_the_whole_list_and_a_new_scene_starts_it_again() -> None:
    frame = small_qr_frame()
    bad = damaged(frame)
    live = LiveDecoder()
    while live.order == WHOLE_LIST:
        live.decode(bad)
    ran = []
    for _ in range(RETRY_FRAMES + 1):
        live.decode(bad)
        ran.append(live.ran)
    assert ran[:-1] == [RETRY_STAGES] * RETRY_FRAMES  # then a fresh look at everything (a card that crept in)
    assert live.order == WHOLE_LIST and ran[-1][0] == STAGE_NAMES[0]
    while live.order == WHOLE_LIST:
        live.decode(bad)
    assert live.order == RETRY_LIST
    live.decode(np.full_like(frame, 200))  # the card went away
    assert not live.still and live.order == WHOLE_LIST
    live.decode(bad)
    assert live.ran == (STAGE_NAMES[0], STAGE_NAMES[1])


def test_code128_read_by_both_libraries_on_the_whole_frame_is_confirmed_at_stage_0() -> None:
    frame, _ = scene(barcode_image("code128", CARD))
    assert first_stage(frame, CARD) == 0


@pytest.mark.parametrize("degrees", [90.0, 180.0, 270.0, 45.0, -30.0])
def test_turned_barcodes_are_read(degrees: float) -> None:
    frame, _ = scene(barcode_image("code128", CARD))
    assert [(c.symbology, c.payload) for c in decode_frame(rotate(frame, degrees))] == [("code128", CARD)]


def test_a_qr_code_and_a_barcode_in_view_give_both() -> None:
    frame, _ = scene(np.full((10, 10), 255, np.uint8), size=(1280, 720))
    qr, bar = qr_image(TOKEN, 6), barcode_image("ean13", EAN12)
    frame[40 : 40 + qr.shape[0], 40 : 40 + qr.shape[1]] = qr[..., None]
    frame[450 : 450 + bar.shape[0], 700 : 700 + bar.shape[1]] = bar[..., None]
    found = sorted((d.symbology, d.payload) for d in decode_frame(frame))
    assert found == [("ean13", EAN), ("qr", TOKEN)]


def test_the_committed_photographs_give_no_wrong_payload() -> None:
    """The sample of the hard test set (bench/scan_samples): whatever is read is one of the image's codes, and
    five of the eight codes are read (what the cascade reads today: fewer is a regression)."""
    import json
    from pathlib import Path

    import cv2

    folder = Path(__file__).resolve().parents[2] / "bench" / "scan_samples"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    read = 0
    for item in manifest["frames"]:
        frame = cv2.imread(str(folder / item["file"]))
        assert frame is not None
        expected = {(c["symbology"], c["payload"]) for c in item["codes"]}
        found = {(c.symbology, c.payload) for c in decode_frame(frame)}
        assert found <= expected, item["file"]
        read += len(found)
    assert read >= 5
