import numpy as np

from neqlab.plotting import layout_problems, legend, new_figure


def test_a_legend_over_data_is_found_and_one_beside_it_is_not():
    fig, ax = new_figure(1, 1)
    a = ax[0, 0]
    x = np.linspace(0, 1, 200)
    a.plot(x, x, label="diagonal")
    a.legend(loc="center")
    assert any("legend covers" in p for p in layout_problems(fig))
    fig, ax = new_figure(1, 1)
    ax[0, 0].plot(x, x, label="diagonal")
    legend(ax[0, 0], loc="upper left")
    assert layout_problems(fig) == []


def test_crowded_tick_labels_are_found():
    fig, ax = new_figure(1, 1, width=1.2, height=3.0)
    ax[0, 0].plot([0, 1e6], [0, 1])
    ax[0, 0].set_xticks(np.linspace(0, 1e6, 12))
    assert any("tick labels" in p for p in layout_problems(fig))
