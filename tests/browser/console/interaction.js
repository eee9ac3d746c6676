// A recording stand-in for Salesforce Classic's Open CTI library (sforce.interaction), served
// by the demo console at the path Salesforce serves the real one. Like opencti_min.js, every
// call is recorded (POST /__record, with api: 'classic'); callbacks get Classic's response
// shape {result, error}, where result is a string.
(function () {
  'use strict';
  var consoleOrigin = new URL(document.currentScript.src).origin;
  var frameId = Math.random().toString(36).slice(2, 10);
  var clickToDialListener = null;

  function record(method, args) {
    var entry = { method: method, api: 'classic', args: args, frame: frameId, at: Date.now() };
    fetch(consoleOrigin + '/__record', {
      method: 'POST', mode: 'cors', keepalive: true, body: JSON.stringify(entry),
      headers: { 'Content-Type': 'text/plain' },
    }).catch(function () {});
  }

  function answer(callback, result) {
    if (typeof callback === 'function') setTimeout(function () { callback({ result: result }); }, 0);
  }

  window.sforce = window.sforce || {};
  window.sforce.interaction = {
    setVisible: function (visible, callback) { record('setVisible', { visible: visible }); answer(callback, 'true'); },
    screenPop: function (url, force, callback) { record('screenPop', { url: url, force: force }); answer(callback, 'true'); },
    searchAndScreenPop: function (searchParams, queryParams, callType, callback) {
      record('searchAndScreenPop', { searchParams: searchParams, queryParams: queryParams, callType: callType });
      answer(callback, '{}');
    },
    runApex: function (apexClass, methodName, methodParams, callback) {
      record('runApex', { apexClass: apexClass, methodName: methodName, methodParams: methodParams });
      fetch(consoleOrigin + '/__apex?' + methodParams, { mode: 'cors' })
        .then(function (response) { return response.text(); })
        .then(function (text) { answer(callback, text); })
        .catch(function (error) { if (typeof callback === 'function') callback({ error: String(error) }); });
    },
    cti: {
      notifyInitializationComplete: function (callback) { record('notifyInitializationComplete', {}); answer(callback, 'true'); },
      getCallCenterSettings: function (callback) {
        record('getCallCenterSettings', {});
        answer(callback, JSON.stringify({ '/reqDialingOptions/reqOutsidePrefix': '9',
                                          '/reqDialingOptions/reqLongDistPrefix': '1',
                                          '/reqDialingOptions/reqInternationalPrefix': '011' }));
      },
      enableClickToDial: function (callback) { record('enableClickToDial', {}); answer(callback, 'true'); },
      disableClickToDial: function (callback) { record('disableClickToDial', {}); answer(callback, 'true'); },
      onClickToDial: function (listener) { record('onClickToDial', {}); clickToDialListener = listener; },
    },
  };

  window.addEventListener('message', function (event) {
    if (event.origin !== consoleOrigin || event.source !== window.parent) return;
    var data = event.data || {};
    if (data.type === 'clickToDial' && clickToDialListener) {
      clickToDialListener({ result: JSON.stringify({ number: String(data.number), objectId: data.recordId || '' }) });
    }
  });
})();
