from __future__ import annotations

import factory

from shop.models import Store


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store

    name = factory.Sequence(lambda n: f"Store {n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    base_url = factory.Sequence(lambda n: f"https://store-{n}.example")
    consumer_key = factory.Sequence(lambda n: f"ck_{n:040d}")
    consumer_secret = factory.Sequence(lambda n: f"cs_{n:040d}")
