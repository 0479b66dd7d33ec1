# GENERATED from the state schema by tests/test_validation.py with fastjsonschema 2.22.3; do not edit.
# mypy: ignore-errors
# ruff: noqa
SCHEMA_SHA256 = "72e9c3452d81767977215b6f7948df99dd97042dc9ab07ae6c8aa52531ec1bdb"
VERSION = "2.22.3"
from decimal import Decimal
import re
from voicesync.validators import JsonSchemaValueException


REGEX_PATTERNS = {
    '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$': re.compile('^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\\Z'),
    '^([0-9a-f]{64})?$': re.compile('^([0-9a-f]{64})?\\Z')
}

NoneType = type(None)

def validate_urn_voicesync_schema_state_v1(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'urn:voicesync:schema:state:v1', 'title': 'voicesync state file (<catalog>.lock.json)', 'description': 'What voicesync remembers between runs: per declared name, the voice it made and how; the journal of clones in flight; voices the account may not change. Read with this schema: a hand-edited file with a wrong type is refused, naming the field. Fields a newer voicesync adds are allowed.', 'type': 'object', 'required': ['format_version', 'endpoint'], 'properties': {'format_version': {'const': 1}, 'endpoint': {'type': 'string'}, 'voices': {'type': 'object', 'additionalProperties': {'type': 'object', 'required': ['voice_id', 'name'], 'properties': {'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'name': {'type': 'string', 'minLength': 1}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE']}, 'language': {'type': 'string', 'minLength': 1}, 'protected': {'type': 'boolean'}, 'pending': {'type': 'object', 'required': ['name', 'sample_sha256', 'sample_size', 'started_at'], 'properties': {'name': {'type': 'string'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'started_at': {'type': 'number'}, 'sent_at': {'type': ['number', 'null']}, 'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}, 'to_delete': {'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}, 'key': {'type': 'string'}}}}, 'foreign': {'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['format_version', 'endpoint']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'urn:voicesync:schema:state:v1', 'title': 'voicesync state file (<catalog>.lock.json)', 'description': 'What voicesync remembers between runs: per declared name, the voice it made and how; the journal of clones in flight; voices the account may not change. Read with this schema: a hand-edited file with a wrong type is refused, naming the field. Fields a newer voicesync adds are allowed.', 'type': 'object', 'required': ['format_version', 'endpoint'], 'properties': {'format_version': {'const': 1}, 'endpoint': {'type': 'string'}, 'voices': {'type': 'object', 'additionalProperties': {'type': 'object', 'required': ['voice_id', 'name'], 'properties': {'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'name': {'type': 'string', 'minLength': 1}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE']}, 'language': {'type': 'string', 'minLength': 1}, 'protected': {'type': 'boolean'}, 'pending': {'type': 'object', 'required': ['name', 'sample_sha256', 'sample_size', 'started_at'], 'properties': {'name': {'type': 'string'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'started_at': {'type': 'number'}, 'sent_at': {'type': ['number', 'null']}, 'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}, 'to_delete': {'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}, 'key': {'type': 'string'}}}}, 'foreign': {'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}}, rule='required')
        data_keys = set(data.keys())
        if "format_version" in data_keys:
            data_keys.remove("format_version")
            data__formatversion = data["format_version"]
            if not (isinstance(data__formatversion, (int, float)) and not isinstance(data__formatversion, bool) and data__formatversion == 1):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".format_version must be same as const definition: 1", value=data__formatversion, name="" + (name_prefix or "data") + ".format_version", definition={'const': 1}, rule='const')
        if "endpoint" in data_keys:
            data_keys.remove("endpoint")
            data__endpoint = data["endpoint"]
            if not isinstance(data__endpoint, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".endpoint must be string", value=data__endpoint, name="" + (name_prefix or "data") + ".endpoint", definition={'type': 'string'}, rule='type')
        if "voices" in data_keys:
            data_keys.remove("voices")
            data__voices = data["voices"]
            if not isinstance(data__voices, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices must be object", value=data__voices, name="" + (name_prefix or "data") + ".voices", definition={'type': 'object', 'additionalProperties': {'type': 'object', 'required': ['voice_id', 'name'], 'properties': {'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'name': {'type': 'string', 'minLength': 1}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE']}, 'language': {'type': 'string', 'minLength': 1}, 'protected': {'type': 'boolean'}, 'pending': {'type': 'object', 'required': ['name', 'sample_sha256', 'sample_size', 'started_at'], 'properties': {'name': {'type': 'string'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'started_at': {'type': 'number'}, 'sent_at': {'type': ['number', 'null']}, 'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}, 'to_delete': {'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}, 'key': {'type': 'string'}}}}, rule='type')
            data__voices_is_dict = isinstance(data__voices, dict)
            if data__voices_is_dict:
                data__voices_keys = set(data__voices.keys())
                for data__voices_key in data__voices_keys:
                    if data__voices_key not in []:
                        data__voices_value = data__voices.get(data__voices_key)
                        if not isinstance(data__voices_value, (dict)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}".format(**locals()) + " must be object", value=data__voices_value, name="" + (name_prefix or "data") + ".voices.{data__voices_key}".format(**locals()) + "", definition={'type': 'object', 'required': ['voice_id', 'name'], 'properties': {'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'name': {'type': 'string', 'minLength': 1}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE']}, 'language': {'type': 'string', 'minLength': 1}, 'protected': {'type': 'boolean'}, 'pending': {'type': 'object', 'required': ['name', 'sample_sha256', 'sample_size', 'started_at'], 'properties': {'name': {'type': 'string'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'started_at': {'type': 'number'}, 'sent_at': {'type': ['number', 'null']}, 'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}, 'to_delete': {'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}, 'key': {'type': 'string'}}}, rule='type')
                        data__voices_value_is_dict = isinstance(data__voices_value, dict)
                        if data__voices_value_is_dict:
                            data__voices_value__missing_keys = set(['voice_id', 'name']) - data__voices_value.keys()
                            if data__voices_value__missing_keys:
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}".format(**locals()) + " must contain " + (str(sorted(data__voices_value__missing_keys)) + " properties"), value=data__voices_value, name="" + (name_prefix or "data") + ".voices.{data__voices_key}".format(**locals()) + "", definition={'type': 'object', 'required': ['voice_id', 'name'], 'properties': {'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'name': {'type': 'string', 'minLength': 1}, 'visibility': {'enum': ['PUBLIC', 'PRIVATE']}, 'language': {'type': 'string', 'minLength': 1}, 'protected': {'type': 'boolean'}, 'pending': {'type': 'object', 'required': ['name', 'sample_sha256', 'sample_size', 'started_at'], 'properties': {'name': {'type': 'string'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'started_at': {'type': 'number'}, 'sent_at': {'type': ['number', 'null']}, 'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}, 'to_delete': {'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}, 'key': {'type': 'string'}}}, rule='required')
                            data__voices_value_keys = set(data__voices_value.keys())
                            if "voice_id" in data__voices_value_keys:
                                data__voices_value_keys.remove("voice_id")
                                data__voices_value__voiceid = data__voices_value["voice_id"]
                                if not isinstance(data__voices_value__voiceid, (str, NoneType)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.voice_id".format(**locals()) + " must be string or null", value=data__voices_value__voiceid, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.voice_id".format(**locals()) + "", definition={'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='type')
                                if isinstance(data__voices_value__voiceid, str):
                                    data__voices_value__voiceid_len = len(data__voices_value__voiceid)
                                    if data__voices_value__voiceid_len < 1:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.voice_id".format(**locals()) + " must be longer than or equal to 1 characters", value=data__voices_value__voiceid, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.voice_id".format(**locals()) + "", definition={'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='minLength')
                                    if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'].search(data__voices_value__voiceid):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.voice_id".format(**locals()) + " must match pattern ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", value=data__voices_value__voiceid, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.voice_id".format(**locals()) + "", definition={'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='pattern')
                            if "sample_sha256" in data__voices_value_keys:
                                data__voices_value_keys.remove("sample_sha256")
                                data__voices_value__samplesha256 = data__voices_value["sample_sha256"]
                                if not isinstance(data__voices_value__samplesha256, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.sample_sha256".format(**locals()) + " must be string", value=data__voices_value__samplesha256, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.sample_sha256".format(**locals()) + "", definition={'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, rule='type')
                                if isinstance(data__voices_value__samplesha256, str):
                                    if not REGEX_PATTERNS['^([0-9a-f]{64})?$'].search(data__voices_value__samplesha256):
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.sample_sha256".format(**locals()) + " must match pattern ^([0-9a-f]{64})?$", value=data__voices_value__samplesha256, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.sample_sha256".format(**locals()) + "", definition={'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, rule='pattern')
                            if "sample_size" in data__voices_value_keys:
                                data__voices_value_keys.remove("sample_size")
                                data__voices_value__samplesize = data__voices_value["sample_size"]
                                if not isinstance(data__voices_value__samplesize, (int)) and not (isinstance(data__voices_value__samplesize, float) and data__voices_value__samplesize.is_integer()) or isinstance(data__voices_value__samplesize, bool):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.sample_size".format(**locals()) + " must be integer", value=data__voices_value__samplesize, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.sample_size".format(**locals()) + "", definition={'type': 'integer', 'minimum': 0}, rule='type')
                                if isinstance(data__voices_value__samplesize, (int, float, Decimal)) and not isinstance(data__voices_value__samplesize, bool):
                                    if data__voices_value__samplesize < 0:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.sample_size".format(**locals()) + " must be bigger than or equal to 0", value=data__voices_value__samplesize, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.sample_size".format(**locals()) + "", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                            if "name" in data__voices_value_keys:
                                data__voices_value_keys.remove("name")
                                data__voices_value__name = data__voices_value["name"]
                                if not isinstance(data__voices_value__name, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.name".format(**locals()) + " must be string", value=data__voices_value__name, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.name".format(**locals()) + "", definition={'type': 'string', 'minLength': 1}, rule='type')
                                if isinstance(data__voices_value__name, str):
                                    data__voices_value__name_len = len(data__voices_value__name)
                                    if data__voices_value__name_len < 1:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.name".format(**locals()) + " must be longer than or equal to 1 characters", value=data__voices_value__name, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.name".format(**locals()) + "", definition={'type': 'string', 'minLength': 1}, rule='minLength')
                            if "visibility" in data__voices_value_keys:
                                data__voices_value_keys.remove("visibility")
                                data__voices_value__visibility = data__voices_value["visibility"]
                                if not (isinstance(data__voices_value__visibility, str) and data__voices_value__visibility == 'PUBLIC' or isinstance(data__voices_value__visibility, str) and data__voices_value__visibility == 'PRIVATE'):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.visibility".format(**locals()) + " must be one of ['PUBLIC', 'PRIVATE']", value=data__voices_value__visibility, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.visibility".format(**locals()) + "", definition={'enum': ['PUBLIC', 'PRIVATE']}, rule='enum')
                            if "language" in data__voices_value_keys:
                                data__voices_value_keys.remove("language")
                                data__voices_value__language = data__voices_value["language"]
                                if not isinstance(data__voices_value__language, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.language".format(**locals()) + " must be string", value=data__voices_value__language, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.language".format(**locals()) + "", definition={'type': 'string', 'minLength': 1}, rule='type')
                                if isinstance(data__voices_value__language, str):
                                    data__voices_value__language_len = len(data__voices_value__language)
                                    if data__voices_value__language_len < 1:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.language".format(**locals()) + " must be longer than or equal to 1 characters", value=data__voices_value__language, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.language".format(**locals()) + "", definition={'type': 'string', 'minLength': 1}, rule='minLength')
                            if "protected" in data__voices_value_keys:
                                data__voices_value_keys.remove("protected")
                                data__voices_value__protected = data__voices_value["protected"]
                                if not isinstance(data__voices_value__protected, (bool)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.protected".format(**locals()) + " must be boolean", value=data__voices_value__protected, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.protected".format(**locals()) + "", definition={'type': 'boolean'}, rule='type')
                            if "pending" in data__voices_value_keys:
                                data__voices_value_keys.remove("pending")
                                data__voices_value__pending = data__voices_value["pending"]
                                if not isinstance(data__voices_value__pending, (dict)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending".format(**locals()) + " must be object", value=data__voices_value__pending, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending".format(**locals()) + "", definition={'type': 'object', 'required': ['name', 'sample_sha256', 'sample_size', 'started_at'], 'properties': {'name': {'type': 'string'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'started_at': {'type': 'number'}, 'sent_at': {'type': ['number', 'null']}, 'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}, rule='type')
                                data__voices_value__pending_is_dict = isinstance(data__voices_value__pending, dict)
                                if data__voices_value__pending_is_dict:
                                    data__voices_value__pending__missing_keys = set(['name', 'sample_sha256', 'sample_size', 'started_at']) - data__voices_value__pending.keys()
                                    if data__voices_value__pending__missing_keys:
                                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending".format(**locals()) + " must contain " + (str(sorted(data__voices_value__pending__missing_keys)) + " properties"), value=data__voices_value__pending, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending".format(**locals()) + "", definition={'type': 'object', 'required': ['name', 'sample_sha256', 'sample_size', 'started_at'], 'properties': {'name': {'type': 'string'}, 'sample_sha256': {'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, 'sample_size': {'type': 'integer', 'minimum': 0}, 'started_at': {'type': 'number'}, 'sent_at': {'type': ['number', 'null']}, 'voice_id': {'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}}, rule='required')
                                    data__voices_value__pending_keys = set(data__voices_value__pending.keys())
                                    if "name" in data__voices_value__pending_keys:
                                        data__voices_value__pending_keys.remove("name")
                                        data__voices_value__pending__name = data__voices_value__pending["name"]
                                        if not isinstance(data__voices_value__pending__name, (str)):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.name".format(**locals()) + " must be string", value=data__voices_value__pending__name, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.name".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                                    if "sample_sha256" in data__voices_value__pending_keys:
                                        data__voices_value__pending_keys.remove("sample_sha256")
                                        data__voices_value__pending__samplesha256 = data__voices_value__pending["sample_sha256"]
                                        if not isinstance(data__voices_value__pending__samplesha256, (str)):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sample_sha256".format(**locals()) + " must be string", value=data__voices_value__pending__samplesha256, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sample_sha256".format(**locals()) + "", definition={'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, rule='type')
                                        if isinstance(data__voices_value__pending__samplesha256, str):
                                            if not REGEX_PATTERNS['^([0-9a-f]{64})?$'].search(data__voices_value__pending__samplesha256):
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sample_sha256".format(**locals()) + " must match pattern ^([0-9a-f]{64})?$", value=data__voices_value__pending__samplesha256, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sample_sha256".format(**locals()) + "", definition={'type': 'string', 'pattern': '^([0-9a-f]{64})?$'}, rule='pattern')
                                    if "sample_size" in data__voices_value__pending_keys:
                                        data__voices_value__pending_keys.remove("sample_size")
                                        data__voices_value__pending__samplesize = data__voices_value__pending["sample_size"]
                                        if not isinstance(data__voices_value__pending__samplesize, (int)) and not (isinstance(data__voices_value__pending__samplesize, float) and data__voices_value__pending__samplesize.is_integer()) or isinstance(data__voices_value__pending__samplesize, bool):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sample_size".format(**locals()) + " must be integer", value=data__voices_value__pending__samplesize, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sample_size".format(**locals()) + "", definition={'type': 'integer', 'minimum': 0}, rule='type')
                                        if isinstance(data__voices_value__pending__samplesize, (int, float, Decimal)) and not isinstance(data__voices_value__pending__samplesize, bool):
                                            if data__voices_value__pending__samplesize < 0:
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sample_size".format(**locals()) + " must be bigger than or equal to 0", value=data__voices_value__pending__samplesize, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sample_size".format(**locals()) + "", definition={'type': 'integer', 'minimum': 0}, rule='minimum')
                                    if "started_at" in data__voices_value__pending_keys:
                                        data__voices_value__pending_keys.remove("started_at")
                                        data__voices_value__pending__startedat = data__voices_value__pending["started_at"]
                                        if not isinstance(data__voices_value__pending__startedat, (int, float, Decimal)) or isinstance(data__voices_value__pending__startedat, bool):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.started_at".format(**locals()) + " must be number", value=data__voices_value__pending__startedat, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.started_at".format(**locals()) + "", definition={'type': 'number'}, rule='type')
                                    if "sent_at" in data__voices_value__pending_keys:
                                        data__voices_value__pending_keys.remove("sent_at")
                                        data__voices_value__pending__sentat = data__voices_value__pending["sent_at"]
                                        if not isinstance(data__voices_value__pending__sentat, (int, float, Decimal, NoneType)) or isinstance(data__voices_value__pending__sentat, bool):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sent_at".format(**locals()) + " must be number or null", value=data__voices_value__pending__sentat, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.sent_at".format(**locals()) + "", definition={'type': ['number', 'null']}, rule='type')
                                    if "voice_id" in data__voices_value__pending_keys:
                                        data__voices_value__pending_keys.remove("voice_id")
                                        data__voices_value__pending__voiceid = data__voices_value__pending["voice_id"]
                                        if not isinstance(data__voices_value__pending__voiceid, (str, NoneType)):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.voice_id".format(**locals()) + " must be string or null", value=data__voices_value__pending__voiceid, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.voice_id".format(**locals()) + "", definition={'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='type')
                                        if isinstance(data__voices_value__pending__voiceid, str):
                                            data__voices_value__pending__voiceid_len = len(data__voices_value__pending__voiceid)
                                            if data__voices_value__pending__voiceid_len < 1:
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.voice_id".format(**locals()) + " must be longer than or equal to 1 characters", value=data__voices_value__pending__voiceid, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.voice_id".format(**locals()) + "", definition={'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='minLength')
                                            if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'].search(data__voices_value__pending__voiceid):
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.voice_id".format(**locals()) + " must match pattern ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", value=data__voices_value__pending__voiceid, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.pending.voice_id".format(**locals()) + "", definition={'type': ['string', 'null'], 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='pattern')
                            if "to_delete" in data__voices_value_keys:
                                data__voices_value_keys.remove("to_delete")
                                data__voices_value__todelete = data__voices_value["to_delete"]
                                if not isinstance(data__voices_value__todelete, (list, tuple)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.to_delete".format(**locals()) + " must be array", value=data__voices_value__todelete, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.to_delete".format(**locals()) + "", definition={'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}, rule='type')
                                data__voices_value__todelete_is_list = isinstance(data__voices_value__todelete, (list, tuple))
                                if data__voices_value__todelete_is_list:
                                    data__voices_value__todelete_len = len(data__voices_value__todelete)
                                    for data__voices_value__todelete_x, data__voices_value__todelete_item in enumerate(data__voices_value__todelete):
                                        if not isinstance(data__voices_value__todelete_item, (str)):
                                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.to_delete[{data__voices_value__todelete_x}]".format(**locals()) + " must be string", value=data__voices_value__todelete_item, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.to_delete[{data__voices_value__todelete_x}]".format(**locals()) + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='type')
                                        if isinstance(data__voices_value__todelete_item, str):
                                            data__voices_value__todelete_item_len = len(data__voices_value__todelete_item)
                                            if data__voices_value__todelete_item_len < 1:
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.to_delete[{data__voices_value__todelete_x}]".format(**locals()) + " must be longer than or equal to 1 characters", value=data__voices_value__todelete_item, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.to_delete[{data__voices_value__todelete_x}]".format(**locals()) + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='minLength')
                                            if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'].search(data__voices_value__todelete_item):
                                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.to_delete[{data__voices_value__todelete_x}]".format(**locals()) + " must match pattern ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", value=data__voices_value__todelete_item, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.to_delete[{data__voices_value__todelete_x}]".format(**locals()) + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='pattern')
                            if "key" in data__voices_value_keys:
                                data__voices_value_keys.remove("key")
                                data__voices_value__key = data__voices_value["key"]
                                if not isinstance(data__voices_value__key, (str)):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".voices.{data__voices_key}.key".format(**locals()) + " must be string", value=data__voices_value__key, name="" + (name_prefix or "data") + ".voices.{data__voices_key}.key".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        if "foreign" in data_keys:
            data_keys.remove("foreign")
            data__foreign = data["foreign"]
            if not isinstance(data__foreign, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".foreign must be array", value=data__foreign, name="" + (name_prefix or "data") + ".foreign", definition={'type': 'array', 'items': {'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}}, rule='type')
            data__foreign_is_list = isinstance(data__foreign, (list, tuple))
            if data__foreign_is_list:
                data__foreign_len = len(data__foreign)
                for data__foreign_x, data__foreign_item in enumerate(data__foreign):
                    if not isinstance(data__foreign_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".foreign[{data__foreign_x}]".format(**locals()) + " must be string", value=data__foreign_item, name="" + (name_prefix or "data") + ".foreign[{data__foreign_x}]".format(**locals()) + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='type')
                    if isinstance(data__foreign_item, str):
                        data__foreign_item_len = len(data__foreign_item)
                        if data__foreign_item_len < 1:
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".foreign[{data__foreign_x}]".format(**locals()) + " must be longer than or equal to 1 characters", value=data__foreign_item, name="" + (name_prefix or "data") + ".foreign[{data__foreign_x}]".format(**locals()) + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='minLength')
                        if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'].search(data__foreign_item):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".foreign[{data__foreign_x}]".format(**locals()) + " must match pattern ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", value=data__foreign_item, name="" + (name_prefix or "data") + ".foreign[{data__foreign_x}]".format(**locals()) + "", definition={'type': 'string', 'minLength': 1, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'}, rule='pattern')
    return data

validate = validate_urn_voicesync_schema_state_v1
