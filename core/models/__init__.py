"""Models fitted to a city's data: the annual energy model, the monthly degree-day model,
and the goodness-of-fit metrics both are judged by."""
