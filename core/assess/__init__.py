"""Assessment: what a city's data says, district by district.

* ``indicators``: every indicator with its unit, city KPIs, district profiles;
* ``carbon``: emissions from energy and the grid's path;
* ``equity``: energy bills, burden, the mean group burden, income quintiles, disadvantaged
  districts (the one set of formulas the Equity page, the Lab and the optimizer use);
* ``inequality``: Gini, Theil, Lorenz, spatial clusters; ``maps``: classes, colours, legends.
"""
