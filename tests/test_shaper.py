"""The benchmarks' model of a real link (benchmarks/shaper.py): what TCP and TLS make a
connection pay, in numbers one can check by hand. The shaped figures are only as honest as this."""

from __future__ import annotations

from pytest import approx

from benchmarks.shaper import INITIAL_WINDOW, MSS, RTO_MIN_S, SETUP_RTTS, _Flow, _Link

RTT = 0.12


def test_a_new_connection_waits_for_its_handshakes_then_doubles_its_window_each_round() -> None:
    flow = _Flow(RTT, opened=0.0)
    unlimited = _Link(None)
    # 10 + 20 + 40 segments: three rounds; the first leaves after TCP's and TLS's round trips.
    last = flow.departure(70 * MSS, 0.0, unlimited)
    assert last == approx(SETUP_RTTS * RTT + 2 * RTT)
    assert flow.cwnd == 40 * MSS


def grown(cwnd_segments: int) -> _Flow:
    flow = _Flow(RTT, opened=-10.0)
    flow.cwnd, flow.last_sent, flow.round_start = cwnd_segments * MSS, 0.0, 0.0
    return flow


def test_an_idle_connection_keeps_its_window_for_one_retransmission_timeout() -> None:
    rto = RTT + RTO_MIN_S  # Linux: smoothed RTT + a variance term never under tcp_rto_min
    flow = grown(640)
    flow.departure(MSS, rto * 0.9, _Link(None))
    assert flow.cwnd == 640 * MSS


def test_past_it_the_window_halves_once_per_timeout_idle_down_to_the_initial_one() -> None:
    rto = RTT + RTO_MIN_S
    once, three, all_the_way = grown(640), grown(640), grown(640)
    once.departure(MSS, rto * 1.5, _Link(None))
    three.departure(MSS, rto * 3.5, _Link(None))
    all_the_way.departure(MSS, rto * 60, _Link(None))
    assert once.cwnd == 320 * MSS
    assert three.cwnd == 80 * MSS
    assert all_the_way.cwnd == INITIAL_WINDOW


def test_the_shared_link_serves_bytes_in_the_gaps_other_connections_booked_around() -> None:
    link = _Link(8.0)  # 1 MB/s
    assert link.departure(1_000_000, 5.0, now=0.0) == approx(6.0)  # a window opening at 5 s
    assert link.departure(500_000, 0.0, now=0.0) == approx(0.5)  # leaves now, not after 6 s
    assert link.departure(5_000_000, 0.5, now=0.5) == approx(
        6.0 + 0.5
    )  # fills 0.5-5 s, then after 6 s


def test_time_booked_ahead_is_never_booked_twice() -> None:
    link = _Link(8.0)  # 1 MB/s
    assert link.departure(1_000_000, 0.0, now=0.0) == approx(1.0)
    assert link.departure(1_000_000, 5.0, now=0.0) == approx(6.0)  # a window opening later
    assert link.departure(1_000_000, 0.0, now=0.0) == approx(2.0)  # after the first, not on it
