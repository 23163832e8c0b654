from models.importing import Upload, import_files
def test_demo_roundtrip(demo_engine):
    from models.demo import load_demo
    assert load_demo(demo_engine) is None
